import path from 'node:path';
import { CoreV1Api, KubeConfig, StorageV1Api } from '@kubernetes/client-node';
import { KWOK_NODE_LABEL, startControlPlane, type ControlPlane } from '../scripts/kubernetes/control-plane';
import { writeKubeconfig } from '../scripts/kubernetes/kubeconfig';
import { applyManifests } from '../harness/manifests';
import { progress } from './progress';
import { pollUntil } from './waiting';

/** The namespace, service account and Role of deploy/kubernetes/, which Weir's worker runs under on kwok's node. */
const WEIR_NAMESPACE = 'weir';
const WORKER_SERVICE_ACCOUNT = 'weir-worker';
/** The real node runs host-network pods, which the restricted namespace above does not admit. */
const REAL_NODE_NAMESPACE = 'weir-real';
const REAL_NODE_STORAGE_CLASS = 'weir-real-local';
const TOKEN_SECONDS = 24 * 3600;
const NAMESPACE_READY_MS = 60_000;

export interface BenchPlane {
  plane: ControlPlane;
  /** Signs in as a system:masters user, as the controllers, the scheduler and kwok also do. */
  admin: KubeConfig;
  /** The worker's identity: its requests, and only its, are in the plane's audit log. */
  workerUser: string;
  kwok: { namespace: string; kubeconfigPath: string; nodeSelector: string };
  realNode: { namespace: string; storageClass: string; nodeSelector: string };
  stop(): Promise<void>;
}

/**
 * The project's control plane with kwok's node and a real node, Weir's manifests applied, and a kubeconfig with the
 * weir-worker service account's token; the API server audits that account's requests.
 */
export async function startBenchPlane(): Promise<BenchPlane> {
  progress('starting a Kubernetes control plane with kwok and a real node');
  const workerUser = `system:serviceaccount:${WEIR_NAMESPACE}:${WORKER_SERVICE_ACCOUNT}`;
  const plane = await startControlPlane({ name: 'bench-kubernetes', realNode: true, detached: true, auditedUsers: [workerUser] });
  try {
    const admin = new KubeConfig();
    admin.loadFromFile(plane.kubeconfigPath);
    const core = admin.makeApiClient(CoreV1Api);
    await applyManifests(admin, ['namespace.yaml', 'service-accounts.yaml', 'rbac.yaml']);
    await core.createNamespace({ body: { metadata: { name: REAL_NODE_NAMESPACE } } });
    await admin.makeApiClient(StorageV1Api).createStorageClass({
      body: { metadata: { name: REAL_NODE_STORAGE_CLASS }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'Immediate' },
    });
    for (const namespace of [WEIR_NAMESPACE, REAL_NODE_NAMESPACE]) await untilPodsAdmitted(core, namespace);
    const token = await core.createNamespacedServiceAccountToken({
      name: WORKER_SERVICE_ACCOUNT,
      namespace: WEIR_NAMESPACE,
      body: { spec: { audiences: [], expirationSeconds: TOKEN_SECONDS } },
    });
    const kubeconfigPath = path.join(plane.workDir, 'weir-worker.kubeconfig');
    await writeKubeconfig(kubeconfigPath, plane.server, plane.caFile, { token: token.status!.token });
    return {
      plane,
      admin,
      workerUser,
      kwok: { namespace: WEIR_NAMESPACE, kubeconfigPath, nodeSelector: `${KWOK_NODE_LABEL.key}=${KWOK_NODE_LABEL.value}` },
      realNode: {
        namespace: REAL_NODE_NAMESPACE,
        storageClass: REAL_NODE_STORAGE_CLASS,
        nodeSelector: `kubernetes.io/hostname=${plane.realNode!.name}`,
      },
      stop: () => plane.stop(),
    };
  } catch (error) {
    await plane.stop();
    throw error;
  }
}

/** Pods can be admitted once the namespace's default service account exists. */
async function untilPodsAdmitted(core: CoreV1Api, namespace: string): Promise<void> {
  await pollUntil(
    () => core.readNamespacedServiceAccount({ name: 'default', namespace }).then(Boolean, () => false),
    Boolean,
    100,
    NAMESPACE_READY_MS,
    `the default service account of namespace ${namespace}`,
  );
}
