import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { isUp } from '../activities/kubernetes/component-observation';
import { COMPONENT_LABEL, deploymentName, pipelineSelector } from '../activities/kubernetes/resource-names';
import type { ComponentSpec } from '../pipeline/pipeline-spec';
import { pollUntil, timed } from './waiting';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const STEP_TIMEOUT_MS = 60_000;

/**
 * The scaling behind Weir's stop and resume, done directly with client-node on a pipeline's own Deployments: a merge
 * patch of the replicas, then polling until the same conditions hold that the orchestrator waits for.
 */
export class DirectScale {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly namespace: string,
    private readonly pollMs: number,
  ) {
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  /** Scales every component to its replicas; resolves, in milliseconds, once each is up as Weir's readiness counts it. */
  scaleUp(pipelineId: string, components: ComponentSpec[]): Promise<number> {
    return timed(async () => {
      await Promise.all(components.map((component) => this.scale(pipelineId, component.name, component.replicas)));
      await pollUntil(
        () => this.objectsOf(pipelineId),
        ({ deployments, pods }) =>
          components.every((component) =>
            isUp(component, {
              deployment: deployments.find((deployment) => deployment.metadata?.labels?.[COMPONENT_LABEL] === component.name),
              pods: pods.filter((pod) => pod.metadata?.labels?.[COMPONENT_LABEL] === component.name),
            }),
          ),
        this.pollMs,
        STEP_TIMEOUT_MS,
        `${pipelineId} scaled up directly`,
      );
    });
  }

  /** Scales every component to 0; resolves, in milliseconds, once the controller has seen it and no pod is left. */
  scaleDown(pipelineId: string, components: ComponentSpec[]): Promise<number> {
    return timed(async () => {
      const generations = new Map(
        await Promise.all(
          components.map(
            async (component) => [deploymentName(pipelineId, component.name), await this.scale(pipelineId, component.name, 0)] as const,
          ),
        ),
      );
      await pollUntil(
        () => this.objectsOf(pipelineId),
        ({ deployments, pods }) =>
          pods.length === 0 &&
          deployments.every(
            (deployment) => (deployment.status?.observedGeneration ?? 0) >= (generations.get(deployment.metadata?.name ?? '') ?? 0),
          ),
        this.pollMs,
        STEP_TIMEOUT_MS,
        `${pipelineId} scaled down directly`,
      );
    });
  }

  /** Resolves to the Deployment's generation after the patch. */
  private async scale(pipelineId: string, component: string, replicas: number): Promise<number> {
    const name = deploymentName(pipelineId, component);
    const scaled = await this.apps.patchNamespacedDeployment({ name, namespace: this.namespace, body: { spec: { replicas } } }, mergePatch);
    return scaled.metadata?.generation ?? 0;
  }

  private async objectsOf(pipelineId: string) {
    const query = { namespace: this.namespace, labelSelector: pipelineSelector(pipelineId) };
    const [deployments, pods] = await Promise.all([this.apps.listNamespacedDeployment(query), this.core.listNamespacedPod(query)]);
    return { deployments: deployments.items, pods: pods.items };
  }
}
