import type { ContainerInspectInfo } from 'dockerode';
import { componentState, msUntilMinReady, type Replica } from '../../activities/docker/component-state';

const NOW = Date.parse('2026-01-15T10:00:10.000Z');

/** A replica Docker reports as running since `startedAt`, with a health status when its image has a healthcheck. */
function running(startedAt: string, health?: string): Replica {
  return { State: { Status: 'running', StartedAt: startedAt, ...(health ? { Health: { Status: health } } : {}) } } as ContainerInspectInfo;
}

test('a running replica is ready at once when min_ready_seconds is 0, and only once healthy when it has a healthcheck', () => {
  expect(componentState('web', [running('2026-01-15T10:00:09.999Z')], 0, NOW)).toEqual({
    component: 'web',
    desired_replicas: 1,
    ready_replicas: 1,
    state: 'running',
  });
  expect(componentState('web', [running('2026-01-15T10:00:00.000Z', 'starting')], 0, NOW)).toMatchObject({
    state: 'starting',
    message: 'replica 0 is starting',
  });
  expect(componentState('web', [running('2026-01-15T10:00:00.000Z', 'healthy')], 0, NOW)).toMatchObject({
    state: 'running',
    ready_replicas: 1,
  });
});

test('with min_ready_seconds, a replica is ready once it has run that long', () => {
  const replicas = [running('2026-01-15T10:00:05.000Z'), running('2026-01-15T10:00:08.000Z')];
  expect(componentState('web', replicas, 5000, NOW)).toEqual({
    component: 'web',
    desired_replicas: 2,
    ready_replicas: 1,
    state: 'starting',
    message: 'replica 1 has run for less than min_ready_seconds (5 s)',
  });
  expect(componentState('web', replicas, 2000, NOW)).toMatchObject({ state: 'running', ready_replicas: 2 });
});

test('msUntilMinReady tells when the next replica that waits only for min_ready_seconds becomes ready', () => {
  const replicas = [
    running('2026-01-15T10:00:06.000Z'),
    running('2026-01-15T10:00:08.000Z'),
    running('2026-01-15T10:00:09.000Z', 'starting'),
  ];
  expect(msUntilMinReady(replicas, 5000, NOW)).toBe(1000);
  // The unhealthy replica waits for a health event, not for time; the others are ready already.
  expect(msUntilMinReady(replicas, 2000, NOW)).toBeUndefined();
  expect(msUntilMinReady(replicas, 0, NOW)).toBeUndefined();
  expect(msUntilMinReady([undefined], 5000, NOW)).toBeUndefined();
});
