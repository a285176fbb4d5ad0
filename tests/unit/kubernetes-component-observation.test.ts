import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { componentFailure, componentState, isUp, nextNotReadyDeadline } from '../../activities/kubernetes/component-observation';
import type { ComponentSpec } from '../../pipeline/pipeline-spec';

const component: ComponentSpec = { name: 'worker', image: 'busybox:latest', replicas: 2 };
const NOW = Date.parse('2026-12-01T10:00:00Z');
const options = { now: NOW, notReadyMs: 60_000, whileRunning: true };

function deployment(overrides: Partial<V1Deployment['status']> = {}, generation = 3, replicas = 2): V1Deployment {
  return {
    metadata: { name: 'weir-p-worker', generation },
    spec: { replicas, selector: {}, template: {} },
    status: {
      observedGeneration: generation,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      ...overrides,
    },
  };
}

function pod(name: string, ready: boolean, extra: Partial<V1Pod['status']> = {}, since = '2026-12-01T09:59:00Z'): V1Pod {
  return {
    metadata: { name, creationTimestamp: new Date('2026-12-01T09:50:00Z') },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date(since) }],
      containerStatuses: [{ name: 'worker', image: 'busybox:latest', imageID: '', ready, restartCount: 0, state: { running: {} } }],
      ...extra,
    },
  };
}

describe('a component on Kubernetes', () => {
  test('is up only when its Deployment is available at the current generation and exactly its replicas are Ready', () => {
    const pods = [pod('a', true), pod('b', true)];
    expect(isUp(component, { deployment: deployment(), pods })).toBe(true);
    expect(isUp(component, { deployment: deployment({ observedGeneration: 2 }), pods })).toBe(false);
    expect(isUp(component, { deployment: deployment({ availableReplicas: 1 }), pods })).toBe(false);
    expect(isUp(component, { deployment: deployment(), pods: [pod('a', true), pod('b', false)] })).toBe(false);
    expect(isUp(component, { deployment: deployment({}, 3, 0), pods })).toBe(false);
    const leaving: V1Pod = { ...pod('c', true), metadata: { name: 'c', deletionTimestamp: new Date() } };
    expect(isUp(component, { deployment: deployment(), pods: [...pods, leaving] })).toBe(true);
  });

  test('reports each pod with its state, restarts and last termination', () => {
    const crashed = pod('b', false, {
      containerStatuses: [
        {
          name: 'worker',
          image: 'busybox:latest',
          imageID: '',
          ready: false,
          restartCount: 2,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error' } },
        },
      ],
    });
    const failure = componentFailure(component, { deployment: deployment(), pods: [pod('a', true), crashed] }, options);
    expect(componentState(component, { deployment: deployment(), pods: [pod('a', true), crashed] }, undefined)).toEqual({
      component: 'worker',
      desired_replicas: 2,
      ready_replicas: 1,
      state: 'starting',
      message:
        'pod a: Running, ready, 0 restarts; pod b: waiting (CrashLoopBackOff), not ready, 2 restarts, last terminated Error (exit code 1)',
    });
    expect(componentState(component, { deployment: deployment(), pods: [crashed] }, failure)).toMatchObject({
      state: 'failed',
      message: failure!.message,
    });
    expect(componentState(component, { pods: [] }, undefined)).toMatchObject({ state: 'missing' });
    expect(componentState(component, { deployment: deployment({ replicas: 0 }, 3, 0), pods: [] }, undefined)).toMatchObject({
      state: 'stopped',
    });
  });

  test('a pod not Ready fails the component while Running only past the threshold, which is when a watch looks again', () => {
    const objects = { deployment: deployment(), pods: [pod('a', true), pod('b', false, {}, '2026-12-01T09:59:30Z')] };
    expect(componentFailure(component, objects, options)).toBeUndefined();
    expect(nextNotReadyDeadline(objects, 60_000)).toBe(Date.parse('2026-12-01T10:00:30Z'));
    expect(componentFailure(component, objects, { ...options, now: NOW + 30_000 })).toMatchObject({ reason: 'NotReady' });
    expect(componentFailure(component, objects, { ...options, now: NOW + 30_000, whileRunning: false })).toBeUndefined();
  });

  test('an image pull failure comes first and cannot be retried', () => {
    const pulling = pod('b', false, {
      containerStatuses: [
        {
          name: 'worker',
          image: 'ghost:1',
          imageID: '',
          ready: false,
          restartCount: 3,
          state: { waiting: { reason: 'ImagePullBackOff', message: 'not found' } },
        },
      ],
    });
    expect(componentFailure(component, { deployment: deployment(), pods: [pulling] }, options)).toMatchObject({
      type: 'ImageUnavailable',
      retryable: false,
      message: 'image ghost:1 is not available locally and could not be pulled: ImagePullBackOff: "not found"',
    });
  });
});
