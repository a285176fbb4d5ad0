import { execFileSync } from 'node:child_process';
import { workflowIdFor } from '../../pipeline/names';
import { eventually } from '../../harness/eventually';
import { useWeirSystem } from '../support/use-weir-system';
import { expectLifecycle } from '../support/expect-lifecycle';
import { newPipelineId } from '../support/test-ids';

const weir = useWeirSystem();
const newId = () => newPipelineId('life');

const sleeper = (pipelineId: string, replicas = 1) => ({
  pipeline_id: pipelineId,
  name: `Sleeper ${pipelineId}`,
  components: [
    { name: 'ingestor', image: 'busybox:latest', command: ['sleep', '3600'], env: { LOG_LEVEL: 'info' }, replicas },
    { name: 'sink', image: 'busybox:latest', command: ['sleep', '3600'] },
  ],
});

async function containerStates(pipelineId: string) {
  const containers = await weir.containers(pipelineId);
  return [...containers.entries()].sort().map(([name, info]) => [name, info.State.Running, info.State.ExitCode]);
}

test('full lifecycle through HTTP, checked against Docker at every step', async () => {
  const id = newId();
  const created = await weir.request('POST', '/api/v1/pipeline', sleeper(id, 2));
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ pipeline_id: id, pipeline_name: `Sleeper ${id}`, overall_status: 'Created' });
  expect(created.body.components[1].replicas).toBe(1);

  await weir.healthReaches(id, 'Running');
  expect(await containerStates(id)).toEqual([
    [`weir-${id}-ingestor-0`, true, 0],
    [`weir-${id}-ingestor-1`, true, 0],
    [`weir-${id}-sink-0`, true, 0],
  ]);
  const ingestor = (await weir.containers(id)).get(`weir-${id}-ingestor-0`)!;
  expect(ingestor.Config.Labels).toMatchObject({ 'weir.pipeline': id, 'weir.component': 'ingestor' });
  expect(ingestor.Config.Env).toEqual(expect.arrayContaining(['LOG_LEVEL=info', `WEIR_PIPELINE_ID=${id}`, 'WEIR_COMPONENT=ingestor']));
  expect(ingestor.HostConfig.Privileged).toBe(false);

  await expectLifecycle(weir, id, {
    // SIGTERM was enough: every container exited with 143, and none was removed.
    stopped: async () =>
      expect(await containerStates(id)).toEqual([
        [`weir-${id}-ingestor-0`, false, 143],
        [`weir-${id}-ingestor-1`, false, 143],
        [`weir-${id}-sink-0`, false, 143],
      ]),
    resumed: async () => expect((await containerStates(id)).map(([, running]) => running)).toEqual([true, true, true]),
    // SIGKILL: every container exited with 137, and none was removed.
    terminated: async () =>
      expect(await containerStates(id)).toEqual([
        [`weir-${id}-ingestor-0`, false, 137],
        [`weir-${id}-ingestor-1`, false, 137],
        [`weir-${id}-sink-0`, false, 137],
      ]),
  });
  expect(await weir.leftovers(id)).toEqual({ containers: 0, networks: 0, volumes: 0 });
});

test('an image that does not exist fails the pipeline with a reason; terminate then delete cleans up', async () => {
  const id = newId();
  const spec = { pipeline_id: id, name: 'Missing image', components: [{ name: 'ingestor', image: 'weir-test/does-not-exist:1' }] };
  expect((await weir.request('POST', '/api/v1/pipeline', spec)).status).toBe(201);
  const failed = await weir.healthReaches(id, 'Failed');
  expect(failed.body.failure).toMatchObject({ operation: 'deploy', component: 'ingestor', attempts: 1 });
  expect(failed.body.failure.error).toContain('weir-test/does-not-exist:1');

  expect((await weir.request('POST', `/api/v1/pipeline/${id}/terminate`)).status).toBe(204);
  await weir.healthReaches(id, 'Stopped');
  expect((await weir.request('DELETE', `/api/v1/pipeline/${id}`)).status).toBe(204);
  expect(await weir.leftovers(id)).toEqual({ containers: 0, networks: 0, volumes: 0 });
});

/** A pipeline whose `crasher` exits 300 ms after it starts, beside a component that keeps running. */
const crashesSoon = (pipelineId: string, crasher: Record<string, unknown> = {}) => ({
  pipeline_id: pipelineId,
  name: `Crashes soon ${pipelineId}`,
  components: [
    { name: 'steady', image: 'busybox:latest', command: ['sleep', '3600'] },
    { name: 'crasher', image: 'busybox:latest', command: ['sh', '-c', 'sleep 0.3; echo giving up; exit 4'], ...crasher },
  ],
});

async function transitionsOf(pipelineId: string): Promise<string[]> {
  const history = await weir.request('GET', `/api/v1/pipeline/${pipelineId}/history`);
  return history.body.transitions.map((t: { to: string }) => t.to);
}

test('a component that crashes right after it starts fails the pipeline, naming it, even when it was counted ready', async () => {
  const id = newId();
  expect((await weir.request('POST', '/api/v1/pipeline', crashesSoon(id))).status).toBe(201);

  const failed = await weir.healthReaches(id, 'Failed');
  // Readiness has no uptime floor, so the crasher may count as ready first: then the watch while Running catches it.
  const transitions = await transitionsOf(id);
  expect([['Failed'], ['Running', 'Failed']]).toContainEqual(transitions);
  expect(failed.body.failure).toMatchObject({
    operation: transitions.length === 1 ? 'deploy' : 'monitor',
    component: 'crasher',
    error: 'component crasher exited with code 4; last log lines: giving up',
  });

  expect((await weir.request('POST', `/api/v1/pipeline/${id}/terminate`)).status).toBe(204);
  await weir.healthReaches(id, 'Stopped');
  await weir.removeCompletely(id);
});

test('with min_ready_seconds, the same crash fails the start itself: the pipeline never reaches Running', async () => {
  const id = newId();
  expect((await weir.request('POST', '/api/v1/pipeline', crashesSoon(id, { min_ready_seconds: 5 }))).status).toBe(201);

  const failed = await weir.healthReaches(id, 'Failed');
  expect(await transitionsOf(id)).toEqual(['Failed']);
  expect(failed.body.failure).toMatchObject({ operation: 'deploy', component: 'crasher', attempts: 1 });
  expect((await weir.request('GET', `/api/v1/pipeline/${id}`)).body.components[1].min_ready_seconds).toBe(5);

  expect((await weir.request('POST', `/api/v1/pipeline/${id}/terminate`)).status).toBe(204);
  await weir.healthReaches(id, 'Stopped');
  await weir.removeCompletely(id);
});

test('an operator can stop a pipeline with `temporal workflow signal`', async () => {
  const id = newId();
  await weir.request('POST', '/api/v1/pipeline', sleeper(id));
  await weir.healthReaches(id, 'Running');
  execFileSync(process.env.WEIR_TEMPORAL_CLI!, [
    'workflow',
    'signal',
    '--address',
    process.env.TEMPORAL_ADDRESS!,
    '--workflow-id',
    workflowIdFor(id),
    '--name',
    'stop',
  ]);
  await weir.healthReaches(id, 'Stopped');
  const history = await weir.request('GET', `/api/v1/pipeline/${id}/history`);
  expect(history.body.transitions[1]).toMatchObject({ from: 'Running', to: 'Stopping', command: 'stop', source: 'signal' });
  expect(await containerStates(id)).toEqual([
    [`weir-${id}-ingestor-0`, false, 143],
    [`weir-${id}-sink-0`, false, 143],
  ]);

  const listed = execFileSync(process.env.WEIR_TEMPORAL_CLI!, [
    'workflow',
    'list',
    '--address',
    process.env.TEMPORAL_ADDRESS!,
    '--query',
    `PipelineStatus="Stopped" AND WorkflowId="${workflowIdFor(id)}"`,
  ]).toString();
  expect(listed).toContain(workflowIdFor(id));
  await weir.request('DELETE', `/api/v1/pipeline/${id}`);
});

test('the same id twice is refused; after delete it can be created again', async () => {
  const id = newId();
  expect((await weir.request('POST', '/api/v1/pipeline', sleeper(id))).status).toBe(201);
  const duplicate = await weir.request('POST', '/api/v1/pipeline', sleeper(id));
  expect(duplicate.status).toBe(409);
  expect(duplicate.body.code).toBe('ALREADY_EXISTS');

  await weir.healthReaches(id, 'Running');
  await weir.request('POST', `/api/v1/pipeline/${id}/terminate`);
  await weir.healthReaches(id, 'Stopped');
  expect((await weir.request('DELETE', `/api/v1/pipeline/${id}`)).status).toBe(204);

  const again = await weir.request('POST', '/api/v1/pipeline', { ...sleeper(id), name: 'Second life' });
  expect(again.status).toBe(201);
  const running = await weir.healthReaches(id, 'Running');
  expect(running.body.pipeline_name).toBe('Second life');
  await weir.request('POST', `/api/v1/pipeline/${id}/terminate`);
  await weir.healthReaches(id, 'Stopped');
  await weir.request('DELETE', `/api/v1/pipeline/${id}`);
});

test('list filters by status', async () => {
  const id = newId();
  await weir.request('POST', '/api/v1/pipeline', sleeper(id));
  await weir.healthReaches(id, 'Running');
  const running = await eventually(
    () => weir.request('GET', '/api/v1/pipeline?status=Running'),
    (answer) => answer.body.some((p: { pipeline_id: string }) => p.pipeline_id === id),
  );
  expect(running.body.every((p: { overall_status: string }) => p.overall_status === 'Running')).toBe(true);
  expect(Object.keys(running.body[0]).sort()).toEqual(['created_at', 'overall_status', 'pipeline_id', 'pipeline_name', 'updated_at']);
  const stopped = await weir.request('GET', '/api/v1/pipeline?status=Stopped');
  expect(stopped.body.some((p: { pipeline_id: string }) => p.pipeline_id === id)).toBe(false);
  await weir.request('POST', `/api/v1/pipeline/${id}/terminate`);
  await weir.healthReaches(id, 'Stopped');
  await weir.request('DELETE', `/api/v1/pipeline/${id}`);
});
