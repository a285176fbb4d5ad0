import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CoreV1Api } from '@kubernetes/client-node';
import Docker from 'dockerode';
import { runCommand } from '../run-command';
import type { RunningService } from '../services';
import type { KubernetesBinaries } from './binaries';
import { createCgroup, removeCgroup } from './cgroups';
import { ensureDebianCommand } from './debian-commands';
import { distinctFreePorts } from './free-ports';
import { checkImageReference } from '../../pipeline/image-reference';
import { saveKernelTunables } from './kernel-tunables';
import { writeKubeconfig } from './kubeconfig';
import { unmountBelow } from './mounts';
import { isSchedulable } from './nodes';
import { writeSingleBinaryImageArchive } from './oci-archive';
import { REAL_NODE_NAME, type ControlPlanePki } from './pki';
import { answersOk, pollUntil, startProcess } from './processes';

export interface RealNode {
  /** The node's name, also its kubernetes.io/hostname label. */
  name: string;
  containerdSocket: string;
  /** Copies an image from the Docker engine into the node's containerd, since the node cannot pull. */
  importDockerImage(image: string): Promise<void>;
  stop(): Promise<void>;
}

export interface RealNodeOptions {
  workDir: string;
  logsDir: string;
  binaries: KubernetesBinaries;
  pki: ControlPlanePki;
  server: string;
  core: CoreV1Api;
  detached?: boolean;
}

/** The sandbox image kubelet 1.37 and containerd 1.6 expect; built here from the pause program. */
const PAUSE_IMAGE = 'registry.k8s.io/pause:3.6';
const CRI_NAMESPACE = 'k8s.io';
const HOST = '127.0.0.1';
/** Not configurable in the kubelet: it links each container's log here. */
const CONTAINER_LOG_LINKS_DIR = '/var/log/containers';
const START_TIMEOUT_MS = 120_000;

/**
 * Runs a kubelet on a containerd instance of its own (own root, state and socket) as the node "localhost".
 * Only host-network pods can run: the node's CNI configuration is a loopback one, with no plugin to run it.
 */
export async function startRealNode(options: RealNodeOptions): Promise<RealNode> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'The real Kubernetes node runs containerd and a kubelet, which need root; run as root, or start the control plane without realNode.',
    );
  }
  await ensureDebianCommand('containerd', 'containerd', 'the real Kubernetes node');
  await ensureDebianCommand('runc', 'runc', 'the real Kubernetes node');
  const { workDir, binaries } = options;
  const dirs = {
    containerdRoot: path.join(workDir, 'containerd-root'),
    containerdState: path.join(workDir, 'containerd-state'),
    cniConf: path.join(workDir, 'cni-conf'),
    cniBin: path.join(workDir, 'cni-bin'),
    kubelet: path.join(workDir, 'kubelet'),
    podLogs: path.join(workDir, 'pod-logs'),
  };
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  const socket = path.join(workDir, 'containerd.sock');
  const ctr = (...args: string[]) => runCommand('ctr', ['--address', socket, '--namespace', CRI_NAMESPACE, ...args]);
  // Pods' cgroups go under a root of this node's own, so that another kubelet on the host does not take them for its own.
  const cgroupRoot = `/weir-node-${randomBytes(4).toString('hex')}`;

  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  const launched = (service: RunningService) => cleanups.push(() => service.stop());

  try {
    await createCgroup(cgroupRoot);
    cleanups.push(() => removeCgroup(cgroupRoot));
    // What the kubelet mounted for volumes; container root file systems go with their tasks.
    cleanups.push(() => unmountBelow(workDir));

    const containerdConfig = path.join(workDir, 'containerd.toml');
    await writeFile(containerdConfig, containerdToml({ ...dirs, socket }));
    await writeFile(path.join(dirs.cniConf, '10-loopback.conflist'), JSON.stringify(LOOPBACK_NETWORK));
    launched(
      await startProcess(
        {
          name: 'containerd',
          command: 'containerd',
          args: ['--config', containerdConfig],
          logFile: path.join(options.logsDir, 'containerd.log'),
          detached: options.detached,
        },
        (signal) => pollUntil('containerd did not answer', () => ctr('version').then(() => true), START_TIMEOUT_MS, signal),
      ),
    );
    // Containers outlive containerd in their shims, so they go first, before containerd stops.
    cleanups.push(() => removeAllTasks(ctr));

    const pauseArchive = path.join(workDir, 'pause-image.tar');
    await writeSingleBinaryImageArchive(
      { name: PAUSE_IMAGE, binary: binaries.pause, target: '/pause' },
      pauseArchive,
      path.join(workDir, 'pause-image'),
    );
    await ctr('images', 'import', pauseArchive);

    cleanups.push(await saveKernelTunables());
    cleanups.push(() => removeContainerLogLinks(dirs.podLogs));

    const kubeconfig = path.join(workDir, 'kubelet.kubeconfig');
    await writeKubeconfig(kubeconfig, options.server, options.pki.ca.cert, {
      clientCertificate: options.pki.kubeletClient.cert,
      clientKey: options.pki.kubeletClient.key,
    });
    const [port, healthzPort] = await distinctFreePorts(2);
    const kubeletConfig = path.join(workDir, 'kubelet-config.json');
    await writeFile(
      kubeletConfig,
      JSON.stringify(kubeletConfiguration({ ...options, port, healthzPort, socket, cgroupRoot, podLogsDir: dirs.podLogs }), null, 2),
    );
    launched(
      await startProcess(
        {
          name: 'kubelet',
          command: binaries.kubelet,
          args: [
            `--config=${kubeletConfig}`,
            `--kubeconfig=${kubeconfig}`,
            `--root-dir=${dirs.kubelet}`,
            `--cert-dir=${path.join(dirs.kubelet, 'pki')}`,
            // The API server reaches the node by this name; the kubelet refuses 127.0.0.1 as the node's IP, so
            // the host's own address is its InternalIP.
            `--hostname-override=${REAL_NODE_NAME}`,
          ],
          logFile: path.join(options.logsDir, 'kubelet.log'),
          detached: options.detached,
        },
        async (signal) => {
          await pollUntil(
            'the kubelet was not healthy',
            () => answersOk(`http://${HOST}:${healthzPort}/healthz`),
            START_TIMEOUT_MS,
            signal,
          );
          await pollUntil(
            `the node ${REAL_NODE_NAME} did not become Ready and untainted`,
            async () => isSchedulable(await options.core.readNode({ name: REAL_NODE_NAME })),
            START_TIMEOUT_MS,
            signal,
          );
        },
      ),
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    name: REAL_NODE_NAME,
    containerdSocket: socket,
    importDockerImage: (image) => importDockerImage(image, socket),
    stop,
  };
}

/**
 * Satisfies the CRI plugin's wish for a network before it calls the node ready. Pods that are not host-network
 * fail to start, saying the loopback plugin is missing, since the plugin folder is empty.
 */
const LOOPBACK_NETWORK = { cniVersion: '1.0.0', name: 'weir-loopback', plugins: [{ type: 'loopback' }] };

function containerdToml(paths: {
  containerdRoot: string;
  containerdState: string;
  socket: string;
  cniConf: string;
  cniBin: string;
}): string {
  const quote = (value: string) => JSON.stringify(value);
  const cri = '[plugins."io.containerd.grpc.v1.cri"]';
  return [
    'version = 2',
    `root = ${quote(paths.containerdRoot)}`,
    `state = ${quote(paths.containerdState)}`,
    '[grpc]',
    `  address = ${quote(paths.socket)}`,
    '[ttrpc]',
    `  address = ${quote(`${paths.socket}.ttrpc`)}`,
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${quote(path.join(paths.containerdRoot, 'opt'))}`,
    cri,
    `  sandbox_image = ${quote(PAUSE_IMAGE)}`,
    // Without CAP_SYS_RESOURCE, runc cannot lower a container's OOM score below its own and fails with
    // "can't get final child's PID from pipe".
    '  restrict_oom_score_adj = true',
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "0"',
    `${cri.slice(0, -1)}.containerd]`,
    '  snapshotter = "overlayfs"',
    '  default_runtime_name = "runc"',
    `${cri.slice(0, -1)}.containerd.runtimes.runc]`,
    '  runtime_type = "io.containerd.runc.v2"',
    `${cri.slice(0, -1)}.containerd.runtimes.runc.options]`,
    '  SystemdCgroup = false',
    `  Root = ${quote(path.join(paths.containerdState, 'runc'))}`,
    `${cri.slice(0, -1)}.cni]`,
    `  bin_dir = ${quote(paths.cniBin)}`,
    `  conf_dir = ${quote(paths.cniConf)}`,
    '',
  ].join('\n');
}

interface KubeletSettings {
  pki: ControlPlanePki;
  port: number;
  healthzPort: number;
  socket: string;
  cgroupRoot: string;
  podLogsDir: string;
}

function kubeletConfiguration({ pki, port, healthzPort, socket, cgroupRoot, podLogsDir }: KubeletSettings): object {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: HOST,
    port,
    readOnlyPort: 0,
    healthzBindAddress: HOST,
    healthzPort,
    tlsCertFile: pki.kubeletServing.cert,
    tlsPrivateKeyFile: pki.kubeletServing.key,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: pki.ca.cert } },
    authorization: { mode: 'Webhook' },
    containerRuntimeEndpoint: `unix://${socket}`,
    // This host has cgroup v1 and swap may be on; neither matters for tests.
    failCgroupV1: false,
    failSwapOn: false,
    cgroupDriver: 'cgroupfs',
    cgroupRoot,
    podLogsDir,
    // The host's firewall is left alone, as Docker's is.
    makeIPTablesUtilChains: false,
    // Without CAP_SYS_RESOURCE the kubelet cannot lower its own OOM score.
    oomScoreAdj: 0,
    // The disk is shared with everything else on the machine: neither evict pods nor collect images for it.
    evictionHard: { 'memory.available': '1Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
  };
}

/** Kills and deletes every container of the node, so that their shims exit and their mounts go. */
async function removeAllTasks(ctr: (...args: string[]) => Promise<string>): Promise<void> {
  const tasks = (await ctr('tasks', 'list', '--quiet').catch(() => '')).split('\n').filter(Boolean);
  for (const task of tasks) await ctr('tasks', 'delete', '--force', task).catch(() => {});
}

async function removeContainerLogLinks(podLogsDir: string): Promise<void> {
  for (const link of await readdir(CONTAINER_LOG_LINKS_DIR).catch(() => [])) {
    const file = path.join(CONTAINER_LOG_LINKS_DIR, link);
    const target = await readlink(file).catch(() => '');
    if (target.startsWith(`${podLogsDir}/`)) await unlink(file).catch(() => {});
  }
}

/** The equivalent of `docker save IMAGE | ctr -n k8s.io images import -`. */
async function importDockerImage(image: string, socket: string): Promise<void> {
  const problem = checkImageReference(image);
  if (problem) throw new Error(`${JSON.stringify(image)} is not an image reference: it ${problem}`);
  const archive = await new Docker()
    .getImage(image)
    .get()
    .catch((error: Error) => {
      throw new Error(`could not export ${image} from the Docker engine: ${error.message}`);
    });
  const ctr = spawn('ctr', ['--address', socket, '--namespace', CRI_NAMESPACE, 'images', 'import', '-'], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let errors = '';
  ctr.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  archive.pipe(ctr.stdin);
  const code = await new Promise<number | null>((resolve, reject) => {
    ctr.once('close', resolve);
    ctr.once('error', reject);
  });
  if (code !== 0) throw new Error(`importing ${image} into the node's containerd failed (ctr exited with code ${code}): ${errors.trim()}`);
}
