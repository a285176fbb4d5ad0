import { randomBytes } from 'node:crypto';
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { eventually } from '../../harness/eventually';
import { pipelineSelector } from '../../activities/kubernetes/resource-names';

export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The kubeconfig of the control plane that the global setup started, signed in as an administrator. */
export function testKubeConfig(): KubeConfig {
  const file = process.env.KUBECONFIG;
  if (!file) throw new Error('KUBECONFIG is not set; run the tests through jest so the global setup provides it');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(file);
  return kubeConfig;
}

/** The node selector of kwok's node, where pods are Running and Ready at once without containers. */
export function kwokNodeSelector(): Record<string, string> {
  const [key, value] = (process.env.WEIR_TEST_KWOK_NODE_SELECTOR ?? '').split('=');
  if (!key || value === undefined) throw new Error('WEIR_TEST_KWOK_NODE_SELECTOR is not set; run the tests through jest');
  return { [key]: value };
}

/** Creates a fresh namespace and waits until pods can be admitted there (its default service account exists). */
export async function createTestNamespace(prefix: string, kubeConfig = testKubeConfig()): Promise<string> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name } } });
  await eventually(() => core.readNamespacedServiceAccount({ name: 'default', namespace: name }).catch(() => undefined), Boolean, 30_000);
  return name;
}

export async function deleteTestNamespace(name: string, kubeConfig = testKubeConfig()): Promise<void> {
  await kubeConfig.makeApiClient(CoreV1Api).deleteNamespace({ name });
}

/** The Kubernetes objects of a pipeline, as the administrator reads them. */
export class PipelineObjects {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;

  constructor(
    readonly namespace: string,
    kubeConfig = testKubeConfig(),
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
  }

  async pods(pipelineId: string, component?: string): Promise<V1Pod[]> {
    const selector = pipelineSelector(pipelineId) + (component ? `,weir.component=${component}` : '');
    const { items } = await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: selector });
    return items.filter((pod) => !pod.metadata?.deletionTimestamp).sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
  }

  /** Waits until the component has `count` Running pods and returns them. */
  runningPods(pipelineId: string, component: string, count = 1): Promise<V1Pod[]> {
    return eventually(
      () => this.pods(pipelineId, component),
      (pods) => pods.length === count && pods.every((pod) => pod.status?.phase === 'Running'),
      30_000,
    );
  }

  /** Merges `status` into the pod's status subresource, which kwok leaves alone once the pod runs. */
  async patchPodStatus(pod: V1Pod, status: object): Promise<void> {
    await this.core.patchNamespacedPodStatus({ name: pod.metadata!.name!, namespace: this.namespace, body: { status } }, mergePatch);
  }

  async patchPodMetadata(pod: V1Pod, metadata: object): Promise<void> {
    await this.core.patchNamespacedPod({ name: pod.metadata!.name!, namespace: this.namespace, body: { metadata } }, mergePatch);
  }

  /** Each component's Deployment replica count and its pods that are Running and Ready, by component. */
  async replicaCounts(pipelineId: string): Promise<Record<string, { desired: number; ready: number }>> {
    const { items } = await this.apps.listNamespacedDeployment({ namespace: this.namespace, labelSelector: pipelineSelector(pipelineId) });
    const pods = await this.pods(pipelineId);
    const counts: Record<string, { desired: number; ready: number }> = {};
    for (const deployment of items) {
      const component = deployment.metadata!.labels!['weir.component'];
      const ready = pods.filter(
        (pod) =>
          pod.metadata?.labels?.['weir.component'] === component &&
          pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      ).length;
      counts[component] = { desired: deployment.spec?.replicas ?? 0, ready };
    }
    return counts;
  }
}
