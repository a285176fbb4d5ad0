import { CoreV1Api } from '@kubernetes/client-node';
import { KWOK_NODE_NAME } from '../../scripts/kubernetes/control-plane';
import { kwokFailureMarks } from '../../scripts/kubernetes/kwok-failure';
import type { WeirSystem } from '../../harness/weir-system';
import { HEALTH_GATED_IMAGE, READY_ON_FIRST_START_ONLY, ensureHealthGatedImage } from './test-images';
import { PipelineObjects, createTestNamespace, deleteTestNamespace, kwokNodeSelector, mergePatch, testKubeConfig } from './test-kubernetes';

export type ComponentBody = {
  name: string;
  image?: string;
  command?: string[];
  replicas?: number;
  input?: string;
  output?: string;
  secret_env?: Record<string, string>;
};

/**
 * One orchestrator as the lifecycle suite drives it: the configuration that selects it, and what the suite needs to
 * look at or do to its components from outside Weir.
 */
export interface OrchestratorBackend {
  name: 'docker' | 'kubernetes';
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  env(): Record<string, string>;
  /** Replicas running (Docker) or Running and Ready (Kubernetes), by component. */
  runningReplicas(weir: WeirSystem, pipelineId: string): Promise<Record<string, number>>;
  /** Components for a pipeline that stays Created until `release` (Kubernetes: its pods cannot be scheduled until then). */
  neverReady(): ComponentBody[];
  holdStarts(): Promise<void>;
  /** A component that becomes ready on its first start; `holdStarts` keeps a resume of it Resuming. */
  readyOnce(): ComponentBody;
  release(): Promise<void>;
  /** Makes a running component fail behind Weir's back. */
  failComponent(weir: WeirSystem, pipelineId: string, component: string): Promise<void>;
  /**
   * What identifies the replicas a component runs on its current spec, by component: it stays while a resume keeps the
   * component and changes when the component is recreated (Docker: its first container; Kubernetes: the ReplicaSet
   * that runs its pods).
   */
  specIdentities(weir: WeirSystem, pipelineId: string): Promise<Record<string, string>>;
  /** The value a component's process gets for a variable, as the orchestrator holds it. */
  secretValueOf(weir: WeirSystem, pipelineId: string, component: string, variable: string): Promise<string | undefined>;
}

const SLEEP = ['sleep', '3600'];

export const dockerBackend: OrchestratorBackend = {
  name: 'docker',
  setUp: () => ensureHealthGatedImage(),
  tearDown: async () => {},
  env: () => ({ WEIR_ORCHESTRATOR: 'docker' }),
  async runningReplicas(weir, pipelineId) {
    const counts: Record<string, number> = {};
    for (const info of (await weir.containers(pipelineId)).values()) {
      const component = info.Config.Labels['weir.component'];
      counts[component] = (counts[component] ?? 0) + (info.State.Running ? 1 : 0);
    }
    return counts;
  },
  neverReady: () => [{ name: 'never-ready', image: HEALTH_GATED_IMAGE, command: SLEEP }],
  holdStarts: async () => {},
  readyOnce: () => ({ name: 'flaky', image: HEALTH_GATED_IMAGE, command: READY_ON_FIRST_START_ONLY }),
  release: async () => {},
  async failComponent(weir, pipelineId, component) {
    await weir.docker.getContainer(`weir-${pipelineId}-${component}-0`).remove({ force: true });
  },
  async specIdentities(weir, pipelineId) {
    const identities: Record<string, string> = {};
    for (const info of (await weir.containers(pipelineId)).values()) {
      if (info.Config.Labels['weir.replica'] === '0') identities[info.Config.Labels['weir.component']] = info.Id;
    }
    return identities;
  },
  async secretValueOf(weir, pipelineId, component, variable) {
    const env = (await weir.containers(pipelineId)).get(`weir-${pipelineId}-${component}-0`)?.Config.Env ?? [];
    return env.find((entry) => entry.startsWith(`${variable}=`))?.slice(variable.length + 1);
  },
};

export function kubernetesBackend(): OrchestratorBackend {
  let namespace = '';
  let objects: PipelineObjects;
  const core = () => testKubeConfig().makeApiClient(CoreV1Api);
  const cordon = (unschedulable: boolean) => core().patchNode({ name: KWOK_NODE_NAME, body: { spec: { unschedulable } } }, mergePatch);
  return {
    name: 'kubernetes',
    async setUp() {
      namespace = await createTestNamespace('weir-life');
      objects = new PipelineObjects(namespace);
    },
    async tearDown() {
      await cordon(false);
      await deleteTestNamespace(namespace);
    },
    env: () => ({
      WEIR_ORCHESTRATOR: 'kubernetes',
      WEIR_K8S_NAMESPACE: namespace,
      WEIR_K8S_NODE_SELECTOR: Object.entries(kwokNodeSelector())
        .map(([key, value]) => `${key}=${value}`)
        .join(','),
    }),
    async runningReplicas(_weir, pipelineId) {
      const counts = await objects.replicaCounts(pipelineId);
      return Object.fromEntries(Object.entries(counts).map(([component, { ready }]) => [component, ready]));
    },
    neverReady: () => [{ name: 'never-ready', command: SLEEP }],
    holdStarts: async () => {
      await cordon(true);
    },
    readyOnce: () => ({ name: 'flaky', command: SLEEP }),
    release: async () => {
      await cordon(false);
    },
    async failComponent(_weir, pipelineId, component) {
      const [pod] = await objects.runningPods(pipelineId, component);
      await objects.patchPodMetadata(pod, kwokFailureMarks('OOMKilled', 137));
    },
    async specIdentities(_weir, pipelineId) {
      const { items } = await objects.apps.listNamespacedReplicaSet({ namespace, labelSelector: `weir.pipeline=${pipelineId}` });
      return Object.fromEntries(
        items
          .filter((replicaSet) => (replicaSet.spec?.replicas ?? 0) > 0)
          .map((replicaSet) => [replicaSet.metadata!.labels!['weir.component'], replicaSet.metadata!.name!]),
      );
    },
    async secretValueOf(_weir, pipelineId, component, variable) {
      const [deployment] = (
        await objects.apps.listNamespacedDeployment({ namespace, labelSelector: `weir.pipeline=${pipelineId},weir.component=${component}` })
      ).items;
      const reference = deployment?.spec?.template.spec?.containers[0].env?.find((entry) => entry.name === variable)?.valueFrom
        ?.secretKeyRef;
      if (!reference?.key) return undefined;
      const secret = await objects.core.readNamespacedSecret({ name: reference.name!, namespace });
      const data = secret.data?.[reference.key];
      return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8');
    },
  };
}
