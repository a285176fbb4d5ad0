import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { REFERENCE_COMPONENT_DEV_IMAGE } from '../../component/image';
import type { RunningService } from '../services';
import { startControlPlane } from './control-plane';
import { pollUntil } from './processes';

/** The images the README's examples run, which the node cannot pull. */
const EXAMPLE_IMAGES = ['busybox:latest', REFERENCE_COMPONENT_DEV_IMAGE];
const NAMESPACE_READY_TIMEOUT_MS = 60_000;

export interface StartedCluster {
  /** What the worker and the API need to use it: KUBECONFIG and the settings its one node calls for. */
  env: Record<string, string>;
  /** The control plane's processes as one service, stopped node first. */
  service: RunningService;
  /** Where its logs are, for the start-up banner. */
  logsDir: string;
}

/**
 * Why `npm start` in Kubernetes mode cannot start a cluster of its own, or undefined when it can or need not: a
 * KUBECONFIG names the cluster to use; without one, the real node (containerd and a kubelet) needs root.
 */
export function ownClusterProblem(env: NodeJS.ProcessEnv): string | undefined {
  if (env.WEIR_ORCHESTRATOR !== 'kubernetes' || env.KUBECONFIG) return undefined;
  if (process.getuid?.() === 0) return undefined;
  return (
    'WEIR_ORCHESTRATOR=kubernetes without KUBECONFIG starts a Kubernetes cluster of its own, whose node (containerd ' +
    'and a kubelet) needs root: set KUBECONFIG to use an existing cluster, or run as root'
  );
}

/**
 * A throwaway cluster for `npm start`, as the tests start one: etcd, the apiserver, the controller-manager, the
 * scheduler and kwok, and one real kubelet node on containerd, where the example images are imported from Docker.
 * Creates `namespace`. Its state is gone once it stops.
 */
export async function startOwnCluster(namespace: string, env: NodeJS.ProcessEnv): Promise<StartedCluster> {
  process.stderr.write('starting a Kubernetes control plane with one node (binaries built once into ~/.cache/weir/kubernetes) ...\n');
  const plane = await startControlPlane({ name: 'start-kubernetes', realNode: true, detached: true });
  try {
    const node = plane.realNode!;
    for (const image of EXAMPLE_IMAGES) await node.importDockerImage(image);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(plane.kubeconfigPath);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await pollUntil(
      `the service account controller did not fill namespace ${namespace}`,
      async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace }).catch(() => undefined)) !== undefined,
      NAMESPACE_READY_TIMEOUT_MS,
    );
    let stopped: () => void = () => {};
    const exited = new Promise<string>((resolve) => (stopped = () => resolve('stopped')));
    return {
      env: {
        KUBECONFIG: plane.kubeconfigPath,
        // The node runs only host-network pods (it has no network plugin), and NATS listens on loopback anyway.
        WEIR_K8S_HOST_NETWORK: env.WEIR_K8S_HOST_NETWORK || 'true',
        // Off kwok's node, whose pods run no containers.
        WEIR_K8S_NODE_SELECTOR: env.WEIR_K8S_NODE_SELECTOR || `kubernetes.io/hostname=${node.name}`,
      },
      service: {
        name: 'kubernetes',
        address: plane.server,
        pid: undefined,
        exited,
        stop: async () => {
          await plane.stop();
          stopped();
        },
      },
      logsDir: `${plane.workDir}/logs`,
    };
  } catch (error) {
    await plane.stop();
    throw error;
  }
}
