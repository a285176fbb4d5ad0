import type { V1ContainerStatus, V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { ComponentState } from '../../pipeline/heartbeat-details';
import type { ComponentSpec } from '../../pipeline/pipeline-spec';
import { ComponentFailedError, ImageUnavailableError, quoted, type ComponentError } from '../errors';

/** What Kubernetes holds of one component: its Deployment and its pods. */
export interface ComponentObjects {
  deployment?: V1Deployment;
  pods: V1Pod[];
}

/** Waiting reasons that mean the image cannot be had: retrying the deploy cannot help. */
const IMAGE_PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName']);

/** Pods on their way out (scaled down or deleted) say nothing about the component's health. */
function livePods(objects: ComponentObjects): V1Pod[] {
  return objects.pods.filter((pod) => !pod.metadata?.deletionTimestamp);
}

function readyCondition(pod: V1Pod) {
  return pod.status?.conditions?.find((condition) => condition.type === 'Ready');
}

function isReady(pod: V1Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

function containerStatuses(pod: V1Pod): V1ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

/**
 * Up: the Deployment is available at the component's replica count (its controller has seen the current generation,
 * and every replica is updated and available) and exactly that many live pods are Ready.
 */
export function isUp(component: ComponentSpec, objects: ComponentObjects): boolean {
  const { deployment } = objects;
  if (!deployment) return false;
  const replicas = component.replicas;
  const status = deployment.status ?? {};
  const current = (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 1);
  const available = status.updatedReplicas === replicas && status.availableReplicas === replicas && status.readyReplicas === replicas;
  const pods = livePods(objects);
  return deployment.spec?.replicas === replicas && current && available && pods.length === replicas && pods.every(isReady);
}

/**
 * The first sign that a component is broken, or undefined: an image that cannot be pulled, a container killed for
 * memory, in CrashLoopBackOff or restarted at all (a new pod starts at 0 restarts, so any restart is a count that
 * grew), a Failed pod, a Deployment past its progress deadline or unable to create pods, and, while Running, a pod
 * that has not been Ready for `notReadyMs`.
 */
export function componentFailure(
  component: ComponentSpec,
  objects: ComponentObjects,
  { now, notReadyMs, whileRunning }: { now: number; notReadyMs: number; whileRunning: boolean },
): ComponentError | undefined {
  const name = component.name;
  const pods = livePods(objects);
  for (const pod of pods) {
    for (const status of containerStatuses(pod)) {
      const waiting = status.state?.waiting;
      if (waiting?.reason && IMAGE_PULL_REASONS.has(waiting.reason)) {
        return new ImageUnavailableError(
          name,
          status.image || component.image,
          `${waiting.reason}${waiting.message ? `: ${quoted(waiting.message, 200)}` : ''}`,
        );
      }
    }
  }
  for (const pod of pods) {
    for (const status of containerStatuses(pod)) {
      const podName = pod.metadata?.name ?? '?';
      const terminated = status.state?.terminated ?? status.lastState?.terminated;
      if (terminated?.reason === 'OOMKilled')
        return new ComponentFailedError(name, 'OOMKilled', `pod ${podName} ran out of memory (exit code ${terminated.exitCode})`, podName);
      if (status.state?.waiting?.reason === 'CrashLoopBackOff') {
        return new ComponentFailedError(
          name,
          'CrashLoopBackOff',
          `pod ${podName} is in CrashLoopBackOff after ${status.restartCount} restarts${lastExit(status)}`,
          podName,
        );
      }
    }
  }
  for (const pod of pods) {
    const podName = pod.metadata?.name;
    if (pod.status?.phase === 'Failed')
      return new ComponentFailedError(name, 'PodFailed', `pod ${podName} failed${podFailureCause(pod)}`, podName);
    const restarted = containerStatuses(pod).find((status) => status.restartCount > 0);
    if (restarted)
      return new ComponentFailedError(
        name,
        'Restarted',
        `pod ${podName} restarted ${restarted.restartCount} times${lastExit(restarted)}`,
        podName,
      );
  }
  for (const condition of objects.deployment?.status?.conditions ?? []) {
    if (condition.type === 'Progressing' && condition.status === 'False' && condition.reason === 'ProgressDeadlineExceeded') {
      return new ComponentFailedError(name, 'ProgressDeadlineExceeded', condition.message ?? 'the Deployment made no progress');
    }
    if (condition.type === 'ReplicaFailure' && condition.status === 'True') {
      return new ComponentFailedError(name, 'ReplicaFailure', condition.message ?? condition.reason ?? 'pods could not be created');
    }
  }
  if (!whileRunning) return undefined;
  for (const pod of pods) {
    const since = notReadySince(pod);
    if (since !== undefined && now - since >= notReadyMs) {
      return new ComponentFailedError(
        name,
        'NotReady',
        `pod ${pod.metadata?.name} has not been Ready for ${Math.round((now - since) / 1000)} s`,
        pod.metadata?.name,
      );
    }
  }
  return undefined;
}

/** When the earliest live pod that is not Ready reaches `notReadyMs`, so a watch looks again then; undefined if all are Ready. */
export function nextNotReadyDeadline(objects: ComponentObjects, notReadyMs: number): number | undefined {
  const since = livePods(objects)
    .map(notReadySince)
    .filter((time): time is number => time !== undefined);
  return since.length > 0 ? Math.min(...since) + notReadyMs : undefined;
}

/** Since when a pod has not been Ready: the Ready condition's last transition, or else the pod's creation. */
function notReadySince(pod: V1Pod): number | undefined {
  const ready = readyCondition(pod);
  if (ready?.status === 'True') return undefined;
  const since = ready?.lastTransitionTime ?? pod.metadata?.creationTimestamp;
  return since ? new Date(since).getTime() : undefined;
}

function lastExit(status: V1ContainerStatus): string {
  const terminated = status.lastState?.terminated ?? status.state?.terminated;
  return terminated ? `; last exit code ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''}` : '';
}

function podFailureCause(pod: V1Pod): string {
  const terminated = containerStatuses(pod).find((status) => status.state?.terminated && status.state.terminated.exitCode !== 0)?.state
    ?.terminated;
  if (terminated) return `: a container ended with exit code ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''}`;
  return pod.status?.reason ? `: ${pod.status.reason}${pod.status.message ? ` ${quoted(pod.status.message, 200)}` : ''}` : '';
}

/**
 * The component as health shows it: missing without a Deployment, failed on a sign of failure, running once up,
 * stopped when scaled to 0 with no pod left, starting in between. The message describes each pod: its state,
 * restarts and last termination.
 */
export function componentState(component: ComponentSpec, objects: ComponentObjects, failure: ComponentError | undefined): ComponentState {
  const pods = livePods(objects);
  const base = { component: component.name, desired_replicas: component.replicas, ready_replicas: pods.filter(isReady).length };
  if (!objects.deployment) return { ...base, state: 'missing', message: 'no Deployment' };
  const message =
    pods.length > 0 ? pods.map(describePod).join('; ') : `no pods; the Deployment wants ${objects.deployment.spec?.replicas ?? 0}`;
  if (failure) return { ...base, state: 'failed', message: failure.message };
  if (isUp(component, objects)) return { ...base, state: 'running', message };
  if (objects.deployment.spec?.replicas === 0 && pods.length === 0) return { ...base, state: 'stopped', message };
  return { ...base, state: 'starting', message };
}

function describePod(pod: V1Pod): string {
  const statuses = containerStatuses(pod);
  const waiting = statuses.find((status) => status.state?.waiting)?.state?.waiting;
  const state = waiting ? `waiting (${waiting.reason ?? 'unknown'})` : (pod.status?.phase ?? 'Pending');
  const restarts = statuses.reduce((sum, status) => sum + status.restartCount, 0);
  const last = statuses.find((status) => status.lastState?.terminated)?.lastState?.terminated;
  const lastTermination = last ? `, last terminated ${last.reason ?? 'with no reason'} (exit code ${last.exitCode})` : '';
  return `pod ${pod.metadata?.name}: ${state}, ${isReady(pod) ? 'ready' : 'not ready'}, ${restarts} restarts${lastTermination}`;
}
