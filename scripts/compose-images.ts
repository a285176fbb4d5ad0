import { readdir } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { addNodeRuntime, ensureLocalImage, ensureLocalImages, NODE_IMAGE_CHANGES, type LocalImage } from './local-images';
import { repoRoot } from './repo-paths';
import { addExecutable, addSharedLibraries } from './rootfs';
import { runCommand } from './run-command';
import { ensureNatsServer, ensureTemporalCli } from './tools';

const nodeModules = path.join(repoRoot, 'node_modules');

/**
 * Builds the images docker-compose.yml needs from the binaries `npm start` uses, for machines that cannot pull, and
 * returns the variables that select them: Temporal and NATS at the versions of the `temporal` CLI and nats-server,
 * and Node with the libraries of the native addons in node_modules. That Node has no npm, so the stack uses this
 * repository's node_modules, which `npm ci` filled for this same node. Also builds the reference component's image.
 */
export async function ensureComposeLocalImages(docker = new Docker()): Promise<Record<string, string>> {
  await ensureLocalImages();
  const temporalCli = await ensureTemporalCli();
  const natsServer = await ensureNatsServer();
  return {
    // Laid out like the official images: the binary at the root, as the entrypoint.
    WEIR_TEMPORAL_IMAGE: await ensureLocalImage(
      docker,
      entrypointImage('local/temporal', temporalCli, '/temporal', await versionOf(temporalCli)),
    ),
    WEIR_NATS_IMAGE: await ensureLocalImage(docker, entrypointImage('local/nats', natsServer, '/nats-server', await versionOf(natsServer))),
    WEIR_NODE_IMAGE: await ensureNodeImage(docker),
    WEIR_NODE_MODULES: nodeModules,
  };
}

function entrypointImage(repo: string, binary: string, target: string, tag: string): LocalImage {
  return {
    repo,
    tag,
    changes: [`ENTRYPOINT ["${target}"]`],
    addPrograms: (rootfs) => addExecutable(rootfs, binary, target),
  };
}

/** The first x.y.z that `binary --version` prints, e.g. 1.9.1 from "temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)". */
async function versionOf(binary: string): Promise<string> {
  const output = await runCommand(binary, ['--version']);
  const version = /\d+\.\d+\.\d+/.exec(output)?.[0];
  if (!version) throw new Error(`\`${binary} --version\` printed no version: ${output.trim()}`);
  return version;
}

/** A Node image that runs Weir from this repository's node_modules, built from this machine's binaries. */
export function ensureNodeImage(docker: Docker): Promise<string> {
  return ensureLocalImage(docker, nodeWithAddonLibraries());
}

/** local/node-base's contents, plus what the native addons (the Temporal core bridge among them) load besides node's own libraries. */
function nodeWithAddonLibraries(): LocalImage {
  return {
    repo: 'local/weir-node',
    tag: process.versions.node,
    changes: NODE_IMAGE_CHANGES,
    async addPrograms(rootfs) {
      await addNodeRuntime(rootfs);
      for (const addon of await nativeAddons()) await addSharedLibraries(rootfs, addon);
    },
  };
}

/** Every native addon in node_modules; those built for other platforms load no library here and add nothing. */
async function nativeAddons(): Promise<string[]> {
  const entries = await readdir(nodeModules, { recursive: true });
  return entries.filter((entry) => entry.endsWith('.node')).map((entry) => path.join(nodeModules, entry));
}
