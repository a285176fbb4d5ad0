import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { withDeadline } from './abort-after';
import { ComponentFailedError, DeploymentNameTakenError, type ComponentError } from './errors';
import type { ComponentState } from '../pipeline/heartbeat-details';
import type { ComponentSpec, PipelineSpec } from '../pipeline/pipeline-spec';
import { describingFailure, ignoringStatus, undefinedIfMissing } from './kubernetes/api-errors';
import { componentFailure, componentState, nextNotReadyDeadline, type ComponentObjects } from './kubernetes/component-observation';
import { isDnsLabel, pipelineIdProblem } from '../pipeline/kubernetes-names';
import { deploymentManifest, secretManifest, volumeClaimManifest, type PodSettings } from './kubernetes/manifests';
import { PipelineChanges } from './kubernetes/pipeline-changes';
import { lastPodLogLines } from './kubernetes/pod-logs';
import {
  COMPONENT_LABEL,
  PIPELINE_LABEL,
  deploymentName,
  managedSelector,
  pipelineSelector,
  componentsSelector,
  secretName,
} from './kubernetes/resource-names';
import { checkRunnable } from './kubernetes/runnable-check';
import { SharedWatch, type WatchCounts } from './kubernetes/shared-watch';
import type { Orchestrator, WaitOptions } from './orchestrator';
import type { RunnableComponent, RunnableSpec } from './runnable-spec';

export interface KubernetesOrchestratorOptions extends PodSettings {
  /** How long a pod of a Running pipeline may stay not Ready before the pipeline fails. */
  notReadySeconds: number;
  /** How often a watch looks even without an event, and so reports progress (default 30 s). */
  pollIntervalMs?: number;
  /**
   * How often waitUntilReady reports progress even without an event (default 1 s). Its heartbeats are how it learns
   * that terminate cancelled it, and the workflow waits for that before it kills.
   */
  readyPollIntervalMs?: number;
  /** How long a stop waits beyond the grace period for pods to go before it deletes them outright (default 30 s). */
  stopMarginSeconds?: number;
  /** The shared watches reconnect after about this long (default 300 s). */
  watchTimeoutSeconds?: number;
}

const FIELD_MANAGER = 'weir';
const serverSideApply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
/** How long an operation waits for the first list of the shared watches. */
const SYNC_TIMEOUT_MS = 30_000;
/** How often, and how many times, a removal looks for leftovers before giving up (the caller retries). */
const REMOVAL_POLL_MS = 250;
const REMOVAL_CHECKS = 240;

/**
 * Runs each component as a Deployment in one namespace, its secret values in one Secret per pipeline. Reads what it
 * waits for and watches from two watches shared by every pipeline, of Weir's pods and of its Deployments.
 */
export class KubernetesOrchestrator implements Orchestrator {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly changes = new PipelineChanges();
  private readonly pods: SharedWatch<V1Pod>;
  private readonly deployments: SharedWatch<V1Deployment>;
  private readonly namespace: string;
  private readonly pollIntervalMs: number;

  constructor(
    kubeConfig: KubeConfig,
    private readonly options: KubernetesOrchestratorOptions,
  ) {
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.namespace = options.namespace;
    this.pollIntervalMs = options.pollIntervalMs ?? 30_000;
    const namespacePath = `/namespaces/${encodeURIComponent(this.namespace)}`;
    const shared = { labelSelector: managedSelector(), changes: this.changes, watchTimeoutSeconds: options.watchTimeoutSeconds };
    this.pods = new SharedWatch(kubeConfig, {
      ...shared,
      path: `/api/v1${namespacePath}/pods`,
      list: () => this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: managedSelector() }),
    });
    this.deployments = new SharedWatch(kubeConfig, {
      ...shared,
      path: `/apis/apps/v1${namespacePath}/deployments`,
      list: () => this.apps.listNamespacedDeployment({ namespace: this.namespace, labelSelector: managedSelector() }),
    });
  }

  /** Requests made by the shared watches so far. */
  watchCounts(): { pods: WatchCounts; deployments: WatchCounts } {
    return { pods: { ...this.pods.counts }, deployments: { ...this.deployments.counts } };
  }

  close(): void {
    this.pods.close();
    this.deployments.close();
  }

  async deploy(spec: RunnableSpec): Promise<void> {
    checkRunnable(spec);
    const secret = secretManifest(spec, this.namespace);
    await describingFailure(`apply Secret ${secretName(spec.pipeline_id)}`, () =>
      this.core.patchNamespacedSecret(
        { name: secret.metadata!.name!, namespace: this.namespace, body: secret, fieldManager: FIELD_MANAGER, force: true },
        serverSideApply,
      ),
    );
    const { volume } = this.options;
    if (volume) {
      const claim = volumeClaimManifest(spec.pipeline_id, { ...this.options, volume });
      // 409: the claim exists already; its spec cannot change anyway.
      await describingFailure(`create PersistentVolumeClaim ${claim.metadata!.name!}`, () =>
        ignoringStatus(this.core.createNamespacedPersistentVolumeClaim({ namespace: this.namespace, body: claim }), 409),
      );
    }
    await Promise.all(spec.components.map((component) => this.applyDeployment(spec, component)));
  }

  async waitUntilReady(spec: PipelineSpec, { signal, onProgress }: WaitOptions): Promise<void> {
    await this.synced();
    for (;;) {
      signal.throwIfAborted();
      const seen = this.changes.count(spec.pipeline_id);
      const { states, failure } = this.look(spec, false);
      onProgress(states);
      if (failure) throw await this.withLastLogLines(failure);
      if (states.every(({ state }) => state === 'running')) return;
      await this.nextChange(spec.pipeline_id, seen, signal, this.options.readyPollIntervalMs ?? 1000);
    }
  }

  /**
   * Scales the components to 0, so Kubernetes sends SIGTERM and, after the pods' grace period (the stop grace the
   * worker is configured with), SIGKILL; resolves once their pods are gone. Pods still there `stopMarginSeconds` after
   * the grace period, on a node that no longer answers, are deleted outright.
   */
  async stopGracefully(spec: PipelineSpec, graceSeconds: number, components?: string[]): Promise<void> {
    const names = deployableNames(spec, components);
    if (names.length === 0) return;
    await this.scaleToZero(spec.pipeline_id, names);
    const margin = this.options.stopMarginSeconds ?? 30;
    if (await this.untilNoPods(spec.pipeline_id, names, (graceSeconds + margin) * 1000)) return;
    await this.deletePods(spec.pipeline_id, names, 0);
    await this.untilNoPods(spec.pipeline_id, names, margin * 1000, true);
  }

  /**
   * Sets the Deployment's replicas. Kubernetes starts the added pods, which share the component's consumer, and sends
   * the surplus ones SIGTERM, then SIGKILL after their grace period; resolves once the surplus pods are gone.
   */
  async scale(spec: RunnableSpec, componentName: string, graceSeconds: number): Promise<void> {
    const component = spec.components.find(({ name }) => name === componentName);
    if (!component) throw new Error(`pipeline ${spec.pipeline_id} has no component ${componentName} to scale`);
    const name = deploymentName(spec.pipeline_id, componentName);
    await describingFailure(`scale Deployment ${name} to ${component.replicas}`, () =>
      this.apps.patchNamespacedDeployment(
        { name, namespace: this.namespace, body: { spec: { replicas: component.replicas } }, fieldManager: FIELD_MANAGER },
        mergePatch,
      ),
    );
    const podsOf = () => this.pods.objectsOf(spec.pipeline_id).filter((pod) => pod.metadata?.labels?.[COMPONENT_LABEL] === componentName);
    const margin = this.options.stopMarginSeconds ?? 30;
    await this.until(
      spec.pipeline_id,
      () => podsOf().length <= component.replicas,
      (graceSeconds + margin) * 1000,
      'the surplus pods to go',
    );
  }

  /** Scales to 0 and deletes the pods with a grace period of 0, once the Deployments no longer replace them. */
  async kill(spec: PipelineSpec): Promise<void> {
    const names = deployableNames(spec);
    if (names.length === 0) return;
    await this.scaleToZero(spec.pipeline_id, names);
    await this.deletePods(spec.pipeline_id, names, 0);
    await this.untilNoPods(spec.pipeline_id, names, SYNC_TIMEOUT_MS, true);
  }

  /**
   * Converges on the spec, as on Docker: the Deployments of components it no longer has go, and applying the others
   * again scales them back to their replica counts. A component whose spec changed has a new pod template (its
   * `weir.spec-hash` annotation with it), so its Deployment rolls out new pods; an unchanged one keeps its ReplicaSet.
   */
  async startAgain(spec: RunnableSpec): Promise<void> {
    checkRunnable(spec);
    await this.removeDeploymentsBesides(spec);
    await this.deploy(spec);
  }

  async remove(pipelineId: string): Promise<void> {
    // No object can have been made for an id that can name none.
    if (pipelineIdProblem(pipelineId)) return;
    const labelSelector = pipelineSelector(pipelineId);
    const namespace = this.namespace;
    for (let check = 1; ; check++) {
      await describingFailure(`delete the objects of pipeline ${pipelineId}`, () =>
        Promise.all([
          this.apps.deleteCollectionNamespacedDeployment({ namespace, labelSelector, propagationPolicy: 'Background' }),
          this.core.deleteCollectionNamespacedPod({ namespace, labelSelector, gracePeriodSeconds: 0 }),
          this.core.deleteCollectionNamespacedSecret({ namespace, labelSelector }),
          this.core.deleteCollectionNamespacedPersistentVolumeClaim({ namespace, labelSelector }),
        ]),
      );
      const left = await this.leftovers(pipelineId);
      if (left.length === 0) return;
      if (check === REMOVAL_CHECKS) throw new Error(`pipeline ${pipelineId} still has ${left.join(', ')} after removal`);
      await sleep(REMOVAL_POLL_MS);
    }
  }

  async watch(spec: PipelineSpec, { signal, onProgress }: WaitOptions): Promise<void> {
    await this.synced();
    const notReadyMs = this.options.notReadySeconds * 1000;
    while (!signal.aborted) {
      const seen = this.changes.count(spec.pipeline_id);
      const { states, failure, observed } = this.look(spec, true);
      onProgress(states);
      if (failure) throw await this.withLastLogLines(failure);
      const now = Date.now();
      const deadlines = observed.map((objects) => nextNotReadyDeadline(objects, notReadyMs)).filter((at): at is number => at !== undefined);
      const wait = Math.max(0, Math.min(this.pollIntervalMs, ...deadlines.map((at) => at - now)));
      await this.nextChange(spec.pipeline_id, seen, signal, wait);
    }
  }

  async inspect(spec: PipelineSpec): Promise<ComponentState[]> {
    await this.synced();
    return this.look(spec, false).states;
  }

  /** A pod's failure with the pod's last log lines, as a Docker component's exit carries its container's. */
  private async withLastLogLines(failure: ComponentError): Promise<ComponentError> {
    if (!(failure instanceof ComponentFailedError) || !failure.pod) return failure;
    const lines = await lastPodLogLines(this.core, this.namespace, failure.pod, failure.component);
    return lines ? failure.withLastLogLines(lines) : failure;
  }

  private async synced(): Promise<void> {
    await Promise.all([this.pods.ready(SYNC_TIMEOUT_MS), this.deployments.ready(SYNC_TIMEOUT_MS)]);
  }

  /** The components as the shared watches last saw them, and the first failure among them. */
  private look(
    spec: PipelineSpec,
    whileRunning: boolean,
  ): { states: ComponentState[]; failure?: ComponentError; observed: ComponentObjects[] } {
    const pods = this.pods.objectsOf(spec.pipeline_id);
    const deployments = this.deployments.objectsOf(spec.pipeline_id);
    const now = Date.now();
    const notReadyMs = this.options.notReadySeconds * 1000;
    let first: ComponentError | undefined;
    const observed: ComponentObjects[] = [];
    const states = spec.components.map((component) => {
      const objects = objectsOf(component, deployments, pods);
      observed.push(objects);
      const failure = objects.deployment
        ? componentFailure(component, objects, { now, notReadyMs, whileRunning })
        : whileRunning
          ? new ComponentFailedError(
              component.name,
              'DeploymentMissing',
              `Deployment ${deploymentName(spec.pipeline_id, component.name)} has disappeared`,
            )
          : undefined;
      first ??= failure;
      return componentState(component, objects, failure);
    });
    return { states, failure: first, observed };
  }

  /** Resolves at the pipeline's next change, after `ms`, or when the signal aborts. */
  private async nextChange(pipelineId: string, seen: number, signal: AbortSignal, ms: number): Promise<void> {
    await withDeadline(signal, ms, async (deadline) => {
      if (deadline.aborted) return;
      const settled = new AbortController();
      const release = () => settled.abort();
      deadline.addEventListener('abort', release, { once: true });
      try {
        await this.changes.since(pipelineId, seen, settled.signal);
      } finally {
        deadline.removeEventListener('abort', release);
        settled.abort();
      }
    });
  }

  private async applyDeployment(spec: RunnableSpec, component: RunnableComponent): Promise<void> {
    const name = deploymentName(spec.pipeline_id, component.name);
    const existing = await describingFailure(`read Deployment ${name}`, () =>
      undefinedIfMissing(this.apps.readNamespacedDeployment({ name, namespace: this.namespace })),
    );
    // Different pipeline and component names can join into the same Deployment name; never take over another's.
    const labels = existing?.metadata?.labels ?? {};
    if (existing && (labels[PIPELINE_LABEL] !== spec.pipeline_id || labels[COMPONENT_LABEL] !== component.name)) {
      throw new DeploymentNameTakenError(component.name, name, labels[PIPELINE_LABEL]);
    }
    const body = deploymentManifest(spec, component, this.options);
    await describingFailure(`apply Deployment ${name}`, () =>
      this.apps.patchNamespacedDeployment(
        { name, namespace: this.namespace, body, fieldManager: FIELD_MANAGER, force: true },
        serverSideApply,
      ),
    );
  }

  /**
   * Deletes the pipeline's Deployments whose component the spec no longer has, with their ReplicaSets and pods, by
   * label: the worker's role may delete collections only.
   */
  private async removeDeploymentsBesides(spec: PipelineSpec): Promise<void> {
    const kept = new Set(spec.components.map((component) => component.name));
    const { items } = await describingFailure(`list the Deployments of pipeline ${spec.pipeline_id}`, () =>
      this.apps.listNamespacedDeployment({ namespace: this.namespace, labelSelector: pipelineSelector(spec.pipeline_id) }),
    );
    const removed = items
      .map((deployment) => deployment.metadata?.labels?.[COMPONENT_LABEL] ?? '')
      .filter((component) => !kept.has(component) && isDnsLabel(component));
    if (removed.length === 0) return;
    await describingFailure(`delete the Deployments of removed components ${removed.join(', ')}`, () =>
      this.apps.deleteCollectionNamespacedDeployment({
        namespace: this.namespace,
        labelSelector: componentsSelector(spec.pipeline_id, removed),
        propagationPolicy: 'Background',
      }),
    );
  }

  /**
   * Scales the components' Deployments to 0 and waits until their controller has seen it, so that pods deleted
   * afterwards are not replaced. A Deployment that is gone has nothing to stop.
   */
  private async scaleToZero(pipelineId: string, components: string[]): Promise<void> {
    const generations = await Promise.all(
      components.map(async (component) => {
        const name = deploymentName(pipelineId, component);
        const scaled = await describingFailure(`scale Deployment ${name} to 0`, () =>
          undefinedIfMissing(
            this.apps.patchNamespacedDeployment(
              { name, namespace: this.namespace, body: { spec: { replicas: 0 } }, fieldManager: FIELD_MANAGER },
              mergePatch,
            ),
          ),
        );
        return { name, generation: scaled?.metadata?.generation };
      }),
    );
    await this.synced();
    const observed = () =>
      generations.every(({ name, generation }) => {
        if (generation === undefined) return true;
        const deployment = this.deployments.objectsOf(pipelineId).find((candidate) => candidate.metadata?.name === name);
        return !deployment || (deployment.status?.observedGeneration ?? 0) >= generation;
      });
    await this.until(pipelineId, observed, SYNC_TIMEOUT_MS, 'the Deployment controller to see the scale to 0');
  }

  private async deletePods(pipelineId: string, components: string[], gracePeriodSeconds: number): Promise<void> {
    await describingFailure(`delete the pods of pipeline ${pipelineId}`, () =>
      this.core.deleteCollectionNamespacedPod({
        namespace: this.namespace,
        labelSelector: componentsSelector(pipelineId, components),
        gracePeriodSeconds,
      }),
    );
  }

  /** Resolves true once no pod of the components is left, false after `ms` (or throws then, when `required`). */
  private async untilNoPods(pipelineId: string, components: string[], ms: number, required = false): Promise<boolean> {
    const gone = () => !this.pods.objectsOf(pipelineId).some((pod) => components.includes(pod.metadata?.labels?.[COMPONENT_LABEL] ?? ''));
    if (required) {
      await this.until(pipelineId, gone, ms, 'the pods to go');
      return true;
    }
    return this.until(pipelineId, gone, ms).then(
      () => true,
      () => false,
    );
  }

  /** Resolves once `condition` holds of the cache; throws after `ms`, saying what it waited for. */
  private async until(pipelineId: string, condition: () => boolean, ms: number, what = 'a condition'): Promise<void> {
    await this.synced();
    const deadline = Date.now() + ms;
    for (;;) {
      const seen = this.changes.count(pipelineId);
      if (condition()) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`pipeline ${pipelineId}: gave up waiting ${Math.round(ms / 1000)} s for ${what}`);
      await this.nextChange(pipelineId, seen, new AbortController().signal, Math.min(left, this.pollIntervalMs));
    }
  }

  /** Describes what is still labelled with the pipeline. */
  private async leftovers(pipelineId: string): Promise<string[]> {
    const query = { namespace: this.namespace, labelSelector: pipelineSelector(pipelineId) };
    const [deployments, replicaSets, pods, secrets, claims] = await describingFailure(`list the objects of pipeline ${pipelineId}`, () =>
      Promise.all([
        this.apps.listNamespacedDeployment(query),
        this.apps.listNamespacedReplicaSet(query),
        this.core.listNamespacedPod(query),
        this.core.listNamespacedSecret(query),
        this.core.listNamespacedPersistentVolumeClaim(query),
      ]),
    );
    const named = (kind: string, list: { items: Array<{ metadata?: { name?: string } }> }) =>
      list.items.map((item) => `${kind} ${item.metadata?.name}`);
    return [
      ...named('Deployment', deployments),
      ...named('ReplicaSet', replicaSets),
      ...named('Pod', pods),
      ...named('Secret', secrets),
      ...named('PersistentVolumeClaim', claims),
    ];
  }
}

function objectsOf(component: ComponentSpec, deployments: V1Deployment[], pods: V1Pod[]): ComponentObjects {
  const ofComponent = (labels: Record<string, string> | undefined) => labels?.[COMPONENT_LABEL] === component.name;
  return {
    deployment: deployments.find((deployment) => ofComponent(deployment.metadata?.labels)),
    pods: pods.filter((pod) => ofComponent(pod.metadata?.labels)),
  };
}

/**
 * The components (all, or the named ones) that can have a Deployment: a pipeline id or component name that can name no
 * Kubernetes object, which deploy refuses, must not reach a label selector either.
 */
function deployableNames(spec: PipelineSpec, components?: string[]): string[] {
  if (pipelineIdProblem(spec.pipeline_id)) return [];
  return (components ?? spec.components.map((component) => component.name)).filter((name) => isDnsLabel(name));
}
