import type { EditTarget } from '../../api/pipeline-gateway';
import type { PipelineSpec } from '../../pipeline/pipeline-spec';
import { PIPELINE_STATUSES, decide, type PipelineStatus } from '../../pipeline/status-machine';
import { ComponentExitedError } from '../../activities/errors';
import { Gate, type Behaviour } from '../support/fake-orchestrator';
import { apiFailureOf, specFor, statusOf, useWorkflowHarness } from '../support/workflow-harness';
import { newPipelineId } from '../support/test-ids';

const harness = useWorkflowHarness();
const newId = () => newPipelineId('ed');

/** source → sink through `raw`; the edit adds a transform between them, through `clean`. */
const streaming = (id: string): PipelineSpec => ({
  pipeline_id: id,
  name: `Streaming ${id}`,
  components: [
    { name: 'source', image: 'busybox:latest', replicas: 1, output: 'raw' },
    { name: 'sink', image: 'busybox:latest', replicas: 1, input: 'raw', env: { LOG_LEVEL: 'info' } },
  ],
});
const withTransform = (id: string): PipelineSpec => ({
  pipeline_id: id,
  name: `Streaming ${id}`,
  components: [
    { name: 'source', image: 'busybox:latest', replicas: 1, output: 'raw' },
    { name: 'transform', image: 'busybox:latest', replicas: 2, input: 'raw', output: 'clean' },
    { name: 'sink', image: 'busybox:latest', replicas: 1, input: 'clean', env: { LOG_LEVEL: 'debug' } },
  ],
});

async function createIn(status: 'Running' | 'Stopped', spec: PipelineSpec, behaviour: Behaviour = {}): Promise<string> {
  harness.orchestrator.configure(spec.pipeline_id, behaviour);
  await harness.gateway.create(spec, `create-${spec.pipeline_id}`);
  await statusOf(harness.gateway, spec.pipeline_id, 'Running');
  if (status === 'Stopped') {
    await harness.gateway.command(spec.pipeline_id, 'stop', 'stop-1');
    await statusOf(harness.gateway, spec.pipeline_id, 'Stopped');
  }
  return spec.pipeline_id;
}

/** Holds a pipeline in `status`; `release` lets the operation that holds it finish. */
async function heldIn(status: PipelineStatus): Promise<{ id: string; release: () => void }> {
  const id = newId();
  const gate = new Gate();
  const release = () => gate.open();
  switch (status) {
    case 'Created':
      harness.orchestrator.configure(id, { blocked: { waitUntilReady: gate } });
      await harness.gateway.create(specFor(id), `create-${id}`);
      break;
    case 'Running':
      await createIn('Running', specFor(id));
      break;
    case 'Stopping':
      await createIn('Running', specFor(id), { blocked: { stopGracefully: gate } });
      await harness.gateway.command(id, 'stop', 'stop-1');
      break;
    case 'Terminating':
      await createIn('Running', specFor(id), { blocked: { kill: gate } });
      await harness.gateway.command(id, 'terminate', 'terminate-1');
      break;
    case 'Resuming':
      await createIn('Stopped', specFor(id));
      harness.orchestrator.configure(id, { blocked: { waitUntilReady: gate } });
      await harness.gateway.command(id, 'resume', 'resume-1');
      break;
    case 'Deleting':
      await createIn('Stopped', specFor(id), { blocked: { remove: gate } });
      void harness.gateway.command(id, 'delete', 'delete-1').catch(() => undefined);
      break;
    default:
      throw new Error(`no way to hold a pipeline in ${status} here`);
  }
  await statusOf(harness.gateway, id, status);
  return { id, release };
}

const refusingStatuses = PIPELINE_STATUSES.filter((status) => decide('edit', status).outcome === 'refuse');

test('the statuses that refuse an edit are all but Stopped and Failed', () => {
  expect(refusingStatuses).toEqual(['Created', 'Running', 'Stopping', 'Terminating', 'Resuming', 'Deleting']);
});

test.each(refusingStatuses)('an edit in %s is refused with INVALID_TRANSITION and changes nothing', async (status) => {
  const { id, release } = await heldIn(status);
  const before = await harness.gateway.view(id);
  const edited: PipelineSpec = { ...specFor(id), name: 'edited' };
  for (const target of [{ spec: edited }, { rollback_to: 1 }] satisfies EditTarget[]) {
    const error = await apiFailureOf(harness.gateway.edit(id, target, `edit-in-${status}`));
    expect([error.code, error.message]).toEqual(['INVALID_TRANSITION', `cannot edit a pipeline that is ${status}`]);
    expect(error.details).toMatchObject({ current_status: status });
    expect(error.details?.allowed_actions).not.toContain('edit');
  }
  const after = await harness.gateway.view(id);
  expect([after.spec, after.spec_revision, after.transitions]).toEqual([before.spec, 1, before.transitions]);
  release();
});

test('an edit of a Stopped pipeline makes revision 2, recorded and readable, and the next resume runs it', async () => {
  const id = await createIn('Stopped', streaming(newId()));
  const edited = await harness.gateway.edit(id, { spec: withTransform(id) }, 'edit-1');
  expect(edited.outcome).toBe('accepted');
  expect(edited.record).toMatchObject({ overall_status: 'Stopped', spec_revision: 2, spec: withTransform(id) });
  expect(await harness.gateway.get(id)).toMatchObject({ spec_revision: 2, spec: withTransform(id), overall_status: 'Stopped' });
  expect((await harness.gateway.revision(id, 1)).spec).toEqual(streaming(id));
  expect((await harness.gateway.revision(id, 2)).spec).toEqual(withTransform(id));
  expect((await apiFailureOf(harness.gateway.revision(id, 3))).code).toBe('NOT_FOUND');

  const last = (await harness.gateway.view(id)).transitions.at(-1);
  expect(last).toMatchObject({
    from: 'Stopped',
    to: 'Stopped',
    command: 'edit',
    source: 'api',
    request_id: 'edit-1',
    outcome: 'applied',
    spec_revision: 2,
    spec_change: { fields: [], added: ['transform'], removed: [], changed: [{ component: 'sink', fields: ['input', 'env.LOG_LEVEL'] }] },
  });
  expect(last?.reason).toBe('edit requested: revision 2, added transform; changed sink (input, env.LOG_LEVEL)');

  // Not applied until the next resume.
  expect(harness.orchestrator.lastStartedSpec(id)?.components.map(({ name }) => name)).toEqual(['source', 'sink']);
  await harness.gateway.command(id, 'resume', 'resume-1');
  await statusOf(harness.gateway, id, 'Running');
  expect(harness.orchestrator.lastStartedSpec(id)?.components.map(({ name, replicas }) => [name, replicas])).toEqual([
    ['source', 1],
    ['transform', 2],
    ['sink', 1],
  ]);
});

test('an edit retried with the same request id is applied once; an edit to the current spec changes nothing', async () => {
  const id = await createIn('Stopped', streaming(newId()));
  const first = await harness.gateway.edit(id, { spec: withTransform(id) }, 'same');
  const again = await harness.gateway.edit(id, { spec: withTransform(id) }, 'same');
  expect(first).toMatchObject({ outcome: 'accepted', record: { spec_revision: 2 } });
  expect(again).toEqual(first);
  const unchanged = await harness.gateway.edit(id, { spec: withTransform(id) }, 'other');
  expect([unchanged.outcome, unchanged.record.spec_revision]).toEqual(['noop', 2]);
  expect((await harness.gateway.view(id)).transitions.filter((t) => t.command === 'edit')).toHaveLength(1);
});

test('a rollback is an edit back to an earlier revision: the spec is that revision exactly, as a new revision', async () => {
  const id = await createIn('Stopped', streaming(newId()));
  await harness.gateway.edit(id, { spec: withTransform(id) }, 'edit-1');
  const back = await harness.gateway.edit(id, { rollback_to: 1 }, 'back-1');
  expect([back.outcome, back.record.spec_revision, back.record.spec]).toEqual(['accepted', 3, streaming(id)]);
  expect((await harness.gateway.get(id)).spec).toEqual(streaming(id));
  expect((await harness.gateway.revision(id, 2)).spec).toEqual(withTransform(id));
  const last = (await harness.gateway.view(id)).transitions.at(-1);
  expect(last).toMatchObject({
    command: 'edit',
    spec_revision: 3,
    reason: expect.stringMatching(/^rollback to revision 1 requested: revision 3, /),
  });
  expect((await harness.gateway.edit(id, { rollback_to: 3 }, 'back-2')).outcome).toBe('noop');
  const missing = await apiFailureOf(harness.gateway.edit(id, { rollback_to: 9 }, 'back-3'));
  expect([missing.code, missing.message]).toEqual(['NOT_FOUND', `pipeline ${id} has no revision 9 to roll back to`]);
});

test('an edit of a Failed pipeline is taken and the pipeline stays Failed with its reason; terminate then resume runs it', async () => {
  const id = newId();
  harness.orchestrator.configure(id, { failing: { watch: () => new ComponentExitedError('ingestor', 1, 'boom') } });
  await harness.gateway.create(specFor(id), `create-${id}`);
  await statusOf(harness.gateway, id, 'Failed');
  harness.orchestrator.configure(id, {});
  const spec: PipelineSpec = { ...specFor(id), components: [{ name: 'ingestor', image: 'busybox:1.36', replicas: 1 }] };
  const edited = await harness.gateway.edit(id, { spec }, 'edit-1');
  expect(edited.record).toMatchObject({
    overall_status: 'Failed',
    spec_revision: 2,
    failure: { operation: 'monitor', component: 'ingestor' },
  });
  await harness.gateway.command(id, 'terminate', 'terminate-1');
  await statusOf(harness.gateway, id, 'Stopped');
  await harness.gateway.command(id, 'resume', 'resume-1');
  await statusOf(harness.gateway, id, 'Running');
  expect(harness.orchestrator.lastStartedSpec(id)?.components[0].image).toBe('busybox:1.36');
});

test('an edit dropping a stream that still holds messages is refused naming it and its count, changing nothing', async () => {
  const id = await createIn('Stopped', withTransform(newId()));
  harness.dataPlane.hold(id, [
    { stream: 'raw', messages: 12 },
    { stream: 'clean', messages: 3 },
  ]);
  const direct: PipelineSpec = {
    ...streaming(id),
    components: [
      { name: 'source', image: 'busybox:latest', replicas: 1, output: 'clean' },
      { name: 'sink', image: 'busybox:latest', replicas: 1, input: 'clean' },
    ],
  };
  const error = await apiFailureOf(harness.gateway.edit(id, { spec: direct }, 'edit-1'));
  expect([error.code, error.message]).toEqual([
    'STREAMS_NOT_EMPTY',
    'stream raw still holds 12 unconsumed messages; the new spec no longer uses it, and a stream is removed only once empty',
  ]);
  expect(error.details).toEqual({ streams: [{ stream: 'raw', messages: 12 }] });
  expect(await harness.gateway.get(id)).toMatchObject({ spec_revision: 1, spec: withTransform(id) });
  expect((await harness.gateway.view(id)).transitions.some((t) => t.command === 'edit')).toBe(false);
  // An edit that keeps both streams is checked the same way and taken.
  expect((await harness.gateway.edit(id, { spec: { ...withTransform(id), name: 'renamed' } }, 'edit-2')).record.spec_revision).toBe(2);
});

test('edits sent together queue behind each other, each making its own revision', async () => {
  const id = await createIn('Stopped', streaming(newId()));
  const [a, b] = await Promise.all([
    harness.gateway.edit(id, { spec: withTransform(id) }, 'edit-a'),
    harness.gateway.edit(id, { spec: { ...withTransform(id), name: 'b' } }, 'edit-b'),
  ]);
  expect([a.record.spec_revision, b.record.spec_revision].sort()).toEqual([2, 3]);
  const transitions = (await harness.gateway.view(id)).transitions.filter((t) => t.command === 'edit');
  expect(transitions.map((t) => t.spec_revision)).toEqual([2, 3]);
});
