import type { PipelineSpec } from '../../pipeline/pipeline-spec';
import type { TransitionRecord } from '../../pipeline/pipeline-view';
import { PIPELINE_STATUSES, decide } from '../../pipeline/status-machine';
import { Gate, type Behaviour } from '../support/fake-orchestrator';
import { apiFailureOf, specFor, statusOf, useWorkflowHarness } from '../support/workflow-harness';
import { newPipelineId } from '../support/test-ids';

const harness = useWorkflowHarness();
const newId = () => newPipelineId('re');

const edited = (id: string): PipelineSpec => ({
  ...specFor(id),
  components: [{ name: 'ingestor', image: 'busybox:latest', replicas: 1, env: { MODE: 'two' } }],
});

async function running(behaviour: Behaviour = {}): Promise<string> {
  const id = newId();
  harness.orchestrator.configure(id, behaviour);
  await harness.gateway.create(specFor(id), `create-${id}`);
  await statusOf(harness.gateway, id, 'Running');
  return id;
}

const steps = (transitions: TransitionRecord[]) =>
  transitions.map(({ from, to, source, rolling_edit }) => `${from}→${to} ${source}${rolling_edit ? ` r${rolling_edit}` : ''}`);

test('a rolling edit of a Running pipeline drains it, edits it and resumes it on the new spec, each record marked with the revision', async () => {
  const id = await running();
  const answer = await harness.gateway.edit(id, { spec: edited(id), rolling: true }, 'rolling-1');
  expect(answer).toMatchObject({ outcome: 'accepted', record: { overall_status: 'Stopping', spec_revision: 1, rolling_edit: 2 } });
  const done = await statusOf(harness.gateway, id, 'Running');
  expect(done).toMatchObject({ spec_revision: 2, spec: edited(id) });
  expect(done.rolling_edit ?? null).toBeNull();
  expect(harness.orchestrator.lastStartedSpec(id)?.components[0].env).toMatchObject({ MODE: 'two' });

  const { transitions, rolling_edit } = await harness.gateway.view(id);
  expect(rolling_edit ?? null).toBeNull();
  expect(steps(transitions)).toEqual([
    'Created→Running workflow',
    'Running→Stopping api r2',
    'Stopping→Stopped workflow r2',
    'Stopped→Stopped workflow r2',
    'Stopped→Resuming workflow r2',
    'Resuming→Running workflow r2',
  ]);
  expect(transitions[1]).toMatchObject({ command: 'rolling_edit', request_id: 'rolling-1' });
  expect(transitions[3]).toMatchObject({
    command: 'rolling_edit',
    request_id: 'rolling-1',
    spec_revision: 2,
    spec_change: { changed: [{ component: 'ingestor', fields: ['env.MODE'] }] },
  });

  // The same request again changes nothing, now that it is done.
  await harness.gateway.edit(id, { spec: edited(id), rolling: true }, 'rolling-1');
  expect((await harness.gateway.view(id)).transitions).toHaveLength(transitions.length);
});

test('a rolling edit retried while it runs is applied once; any other edit meanwhile is refused', async () => {
  const gate = new Gate();
  const id = await running({ blocked: { stopGracefully: gate } });
  const first = await harness.gateway.edit(id, { spec: edited(id), rolling: true }, 'rolling-1');
  // Temporal answers an update id it has seen with the first answer; the workflow would answer noop.
  const retry = await harness.gateway.edit(id, { spec: edited(id), rolling: true }, 'rolling-1');
  expect(retry).toEqual(first);
  expect([retry.record.overall_status, retry.record.rolling_edit]).toEqual(['Stopping', 2]);
  const other = await apiFailureOf(harness.gateway.edit(id, { spec: { ...edited(id), name: 'other' }, rolling: true }, 'rolling-2'));
  expect([other.code, other.message]).toEqual(['INVALID_TRANSITION', 'cannot apply a rolling edit to a pipeline that is Stopping']);
  gate.open();
  await statusOf(harness.gateway, id, 'Running');
  expect((await harness.gateway.view(id)).transitions.filter((t) => t.from === 'Running' && t.to === 'Stopping')).toHaveLength(1);
});

test('terminate during the drain cancels the rest: the pipeline ends Stopped on the old spec and does not resume', async () => {
  const gate = new Gate();
  const id = await running({ blocked: { stopGracefully: gate } });
  await harness.gateway.edit(id, { spec: edited(id), rolling: true }, 'rolling-1');
  await statusOf(harness.gateway, id, 'Stopping');
  await harness.gateway.command(id, 'terminate', 'terminate-1');
  await statusOf(harness.gateway, id, 'Stopped');
  gate.open();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const view = await harness.gateway.view(id);
  expect([view.overall_status, view.spec_revision, view.rolling_edit ?? null]).toEqual(['Stopped', 1, null]);
  expect(steps(view.transitions)).toEqual([
    'Created→Running workflow',
    'Running→Stopping api r2',
    'Stopping→Terminating api r2',
    'Terminating→Stopped workflow',
  ]);
  expect(harness.orchestrator.callsFor(id)).not.toContain('startAgain');
  // The same rolling edit again is the one terminate cancelled, so it changes nothing.
  await harness.gateway.edit(id, { spec: edited(id), rolling: true }, 'rolling-1');
  expect((await harness.gateway.view(id)).transitions).toHaveLength(view.transitions.length);
});

test('terminate during the resume ends Stopped with the edit made, and nothing starts afterwards', async () => {
  const gate = new Gate();
  const id = await running();
  harness.orchestrator.configure(id, { blocked: { waitUntilReady: gate } });
  await harness.gateway.edit(id, { spec: edited(id), rolling: true }, 'rolling-1');
  await statusOf(harness.gateway, id, 'Resuming');
  await harness.gateway.command(id, 'terminate', 'terminate-1');
  await statusOf(harness.gateway, id, 'Stopped');
  gate.open();
  const view = await harness.gateway.view(id);
  expect([view.overall_status, view.spec_revision]).toEqual(['Stopped', 2]);
  expect(steps(view.transitions).slice(-2)).toEqual(['Resuming→Terminating api r2', 'Terminating→Stopped workflow']);
});

test('a failure at a step fails the pipeline naming the step: the resume', async () => {
  const id = await running();
  harness.orchestrator.configure(id, { failing: { startAgain: () => new Error('engine said no') } });
  await harness.gateway.edit(id, { spec: edited(id), rolling: true }, 'rolling-1');
  const failed = await statusOf(harness.gateway, id, 'Failed', 30_000);
  expect(failed.failure).toMatchObject({ operation: 'rolling edit to revision 2: resume', error: 'engine said no', attempts: 3 });
  expect(failed.spec_revision).toBe(2);
  expect((await harness.gateway.view(id)).transitions.at(-1)).toMatchObject({ to: 'Failed', rolling_edit: 2 });
});

test('a stream the new spec drops that still holds messages after the drain fails the stream check; the spec stays', async () => {
  const id = newId();
  const spec: PipelineSpec = {
    pipeline_id: id,
    name: `Streams ${id}`,
    components: [
      { name: 'source', image: 'busybox:latest', replicas: 1, output: 'raw' },
      { name: 'sink', image: 'busybox:latest', replicas: 1, input: 'raw' },
    ],
  };
  await harness.gateway.create(spec, `create-${id}`);
  await statusOf(harness.gateway, id, 'Running');
  harness.dataPlane.hold(id, [{ stream: 'raw', messages: 4 }]);
  const rerouted: PipelineSpec = {
    ...spec,
    components: [
      { name: 'source', image: 'busybox:latest', replicas: 1, output: 'fresh' },
      { name: 'sink', image: 'busybox:latest', replicas: 1, input: 'fresh' },
    ],
  };
  await harness.gateway.edit(id, { spec: rerouted, rolling: true }, 'rolling-1');
  const failed = await statusOf(harness.gateway, id, 'Failed');
  expect(failed.failure).toMatchObject({ operation: 'rolling edit to revision 2: stream check' });
  expect(failed.failure?.error).toContain('stream raw still holds 4 unconsumed messages');
  expect([failed.spec_revision, failed.spec]).toEqual([1, spec]);
});

test('a rolling edit of a Stopped or Failed pipeline is a plain edit; elsewhere it is refused', async () => {
  const id = await running();
  await harness.gateway.command(id, 'stop', 'stop-1');
  await statusOf(harness.gateway, id, 'Stopped');
  const answer = await harness.gateway.edit(id, { spec: edited(id), rolling: true }, 'rolling-1');
  expect(answer).toMatchObject({ outcome: 'accepted', record: { overall_status: 'Stopped', spec_revision: 2 } });
  expect(answer.record.rolling_edit ?? null).toBeNull();
  expect((await harness.gateway.view(id)).transitions.at(-1)).toMatchObject({
    from: 'Stopped',
    to: 'Stopped',
    command: 'rolling_edit',
    reason:
      'edit requested as a rolling edit; the pipeline is Stopped, so the next resume applies it: revision 2, changed ingestor (env.MODE)',
  });
  expect(PIPELINE_STATUSES.filter((status) => decide('rolling_edit', status).outcome === 'refuse')).toEqual([
    'Created',
    'Stopping',
    'Terminating',
    'Resuming',
    'Deleting',
  ]);
});
