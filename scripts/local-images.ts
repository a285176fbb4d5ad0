import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { followProgress, imageExists } from '../activities/docker/images';
import { ensureReferenceComponentImage } from '../component/image';
import { canInstallDebianPackages, installDebianPackage } from './apt';
import { addBaseFiles, addBusybox, addExecutable } from './rootfs';

const HOST_BUSYBOX = '/bin/busybox';
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const NODE_BASE = { repo: 'local/node-base', tag: '20' };

/** An image assembled from this machine's own binaries, since no registry can be pulled from. */
export interface LocalImage {
  repo: string;
  tag: string;
  /** Dockerfile instructions applied on import. */
  changes: string[];
  addPrograms(rootfs: string): Promise<void>;
}

/** What an image with this machine's `node` as its `node` needs: PATH and CMD, set on import. */
export const NODE_IMAGE_CHANGES = [`ENV PATH=${DEFAULT_PATH}`, 'CMD ["node"]'];

/** The host's node at /usr/local/bin/node, with busybox for a shell. */
export async function addNodeRuntime(rootfs: string): Promise<void> {
  await addHostBusybox(rootfs);
  await addExecutable(rootfs, process.execPath, '/usr/local/bin/node');
}

const localImages: LocalImage[] = [
  { ...NODE_BASE, changes: NODE_IMAGE_CHANGES, addPrograms: addNodeRuntime },
  {
    repo: 'busybox',
    tag: 'latest',
    changes: [`ENV PATH=${DEFAULT_PATH}`, 'CMD ["sh"]'],
    addPrograms: addHostBusybox,
  },
];

/**
 * Builds local/node-base:20 and busybox:latest unless the engine already has them, then the reference component's
 * image on that node base unless it is up to date.
 */
export async function ensureLocalImages(): Promise<void> {
  const docker = new Docker();
  for (const image of localImages) await ensureLocalImage(docker, image);
  await ensureReferenceComponentImage(docker, `${NODE_BASE.repo}:${NODE_BASE.tag}`);
}

/** Builds the image unless the engine already has one of its name; returns that name. */
export async function ensureLocalImage(docker: Docker, image: LocalImage): Promise<string> {
  const name = `${image.repo}:${image.tag}`;
  if (await imageExists(docker, name)) return name;
  process.stderr.write(`building image ${name} from this machine's binaries ...\n`);
  await buildImage(docker, image);
  return name;
}

async function addHostBusybox(rootfs: string): Promise<void> {
  await ensureHostBusybox();
  await addBusybox(rootfs, HOST_BUSYBOX);
}

async function ensureHostBusybox(): Promise<void> {
  if (existsSync(HOST_BUSYBOX)) return;
  if (!(await canInstallDebianPackages())) {
    throw new Error(
      `${HOST_BUSYBOX} is missing. Install a static busybox (Debian/Ubuntu: apt-get install busybox-static), ` +
        'or run this as root on Debian/Ubuntu so it can be installed for you.',
    );
  }
  process.stderr.write('installing busybox-static (apt-get) ...\n');
  await installDebianPackage('busybox-static');
}

async function buildImage(docker: Docker, image: LocalImage): Promise<void> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'weir-image-'));
  try {
    const rootfs = path.join(workDir, 'rootfs');
    await addBaseFiles(rootfs);
    await image.addPrograms(rootfs);
    await importRootfs(docker, rootfs, image);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The equivalent of `tar -C rootfs -c . | docker import --change ... - repo:tag`. */
async function importRootfs(docker: Docker, rootfs: string, image: LocalImage): Promise<void> {
  // Owned by root inside the image, whoever builds it.
  const tar = spawn('tar', ['-C', rootfs, '--numeric-owner', '--owner=0', '--group=0', '-c', '.'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const tarExit = new Promise<number | null>((resolve) => tar.once('close', resolve));
  try {
    const progress = await docker.importImage(tar.stdout, { repo: image.repo, tag: image.tag, changes: image.changes });
    await followProgress(docker, progress).catch((error: Error) => {
      throw new Error(`docker import of ${image.repo}:${image.tag} failed: ${error.message}`);
    });
    const tarCode = await tarExit;
    if (tarCode !== 0) throw new Error(`tar of ${rootfs} exited with code ${tarCode}`);
  } finally {
    // Only does something when the import failed while tar was still writing.
    tar.kill();
  }
}
