import { componentHealth } from '../../api/component-health';
import type { PipelineSpec } from '../../pipeline/pipeline-spec';

const spec: PipelineSpec = {
  pipeline_id: 'orders',
  name: 'Orders',
  components: [
    { name: 'source', image: 'busybox:latest', replicas: 2, output: 'raw' },
    { name: 'sink', image: 'busybox:latest', replicas: 1, input: 'raw' },
  ],
};

const observed = (details: unknown) => ({ activity: 'watchPipeline', details, at: '2026-01-15T10:00:00.000Z' });

test('a readiness or watch heartbeat gives each component its replicas and state', () => {
  const health = componentHealth(
    spec,
    'Created',
    null,
    observed({
      components: [{ component: 'source', desired_replicas: 2, ready_replicas: 1, state: 'starting', message: 'replica 1 is starting' }],
    }),
  );
  expect(health).toEqual([
    {
      name: 'source',
      desired_replicas: 2,
      ready_replicas: 1,
      state: 'starting',
      message: 'replica 1 is starting',
      unfinished_messages: null,
    },
    { name: 'sink', desired_replicas: 1, ready_replicas: 0, state: 'unknown', message: null, unfinished_messages: null },
  ]);
});

test('a drain heartbeat shows stopped components and what the others still have to finish', () => {
  const health = componentHealth(spec, 'Stopping', null, observed({ stopped: ['source'], unfinished: { sink: 40 } }));
  expect(health.map(({ name, state, unfinished_messages }) => [name, state, unfinished_messages])).toEqual([
    ['source', 'stopped', null],
    ['sink', 'draining', 40],
  ]);
});

test('without a heartbeat, the status decides: Stopped is stopped, Failed marks the failed component', () => {
  expect(componentHealth(spec, 'Stopped', null, undefined).map(({ state }) => state)).toEqual(['stopped', 'stopped']);
  const failure = { operation: 'monitor', component: 'sink', error: 'exited with code 1', attempts: 1, at: '2026-01-15T10:00:00.000Z' };
  expect(componentHealth(spec, 'Failed', failure, undefined).map(({ state, message }) => [state, message])).toEqual([
    ['unknown', null],
    ['failed', 'exited with code 1'],
  ]);
});

test('heartbeat details of another shape are ignored rather than trusted', () => {
  const health = componentHealth(spec, 'Running', null, observed({ components: 'not a list' }));
  expect(health.map(({ state }) => state)).toEqual(['unknown', 'unknown']);
});
