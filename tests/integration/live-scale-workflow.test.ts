import { ApiError } from '../../api/api-error';
import { eventually } from '../../harness/eventually';
import { Gate } from '../support/fake-orchestrator';
import { specFor, statusOf, useWorkflowHarness } from '../support/workflow-harness';
import { newPipelineId } from '../support/test-ids';

const harness = useWorkflowHarness();
const newId = () => newPipelineId('scw');

async function running(id: string, gate?: Gate): Promise<void> {
  harness.orchestrator.configure(id, gate ? { blocked: { scale: gate } } : {});
  await harness.gateway.create(specFor(id), `create-${id}`);
  await statusOf(harness.gateway, id, 'Running');
}

const callsAfterCreate = (id: string) => harness.orchestrator.callsFor(id).slice(2);

test('a scale while Running ends the watch, scales, waits for the new count and watches again, with the status Running throughout', async () => {
  const id = newId();
  await running(id);
  await eventually(
    async () => harness.orchestrator.callsFor(id),
    (calls) => calls.includes('watch'),
  );
  const answer = await harness.gateway.scale(id, { component: 'ingestor', replicas: 4 }, 'scale-1');
  expect([answer.outcome, answer.record.overall_status, answer.record.spec_revision]).toEqual(['accepted', 'Running', 2]);
  await eventually(
    async () => callsAfterCreate(id),
    (calls) => calls.join(' ') === 'watch scale waitUntilReady watch',
  );
  expect(harness.orchestrator.lastStartedSpec(id)?.components[0].replicas).toBe(4);
  const view = await harness.gateway.view(id);
  expect([view.overall_status, view.transitions.map(({ command, from, to }) => `${command}:${from}→${to}`)]).toEqual([
    'Running',
    ['null:Created→Running', 'scale:Running→Running'],
  ]);
});

test('terminate during a scale cancels it and wins; the resume runs the scaled spec', async () => {
  const id = newId();
  const gate = new Gate();
  await running(id, gate);
  await harness.gateway.scale(id, { component: 'ingestor', replicas: 2 }, 'scale-1');
  await eventually(
    async () => harness.orchestrator.callsFor(id),
    (calls) => calls.includes('scale'),
  );
  await harness.gateway.command(id, 'terminate', 'terminate-1');
  gate.open();
  await statusOf(harness.gateway, id, 'Stopped');
  await harness.gateway.command(id, 'resume', 'resume-1');
  await statusOf(harness.gateway, id, 'Running');
  expect(harness.orchestrator.lastStartedSpec(id)?.components[0].replicas).toBe(2);
});

test('a scale that fails after its retries leaves the pipeline Failed, naming the scale; the revision stays', async () => {
  const id = newId();
  harness.orchestrator.configure(id, { failing: { scale: () => new Error('engine said no') } });
  await harness.gateway.create(specFor(id), `create-${id}`);
  await statusOf(harness.gateway, id, 'Running');
  await harness.gateway.scale(id, { component: 'ingestor', replicas: 2 }, 'scale-1');
  const failed = await statusOf(harness.gateway, id, 'Failed');
  expect(failed.failure).toMatchObject({ operation: 'scale', error: 'engine said no' });
  expect(failed.spec_revision).toBe(2);
  // In Failed, a scale is an edit of the count, applied when the pipeline resumes.
  const edited = await harness.gateway.scale(id, { component: 'ingestor', replicas: 1 }, 'scale-2');
  expect([edited.record.overall_status, edited.record.spec_revision]).toEqual(['Failed', 3]);
});

test('a scale of a component the spec lacks, or to a count out of range, is refused by the workflow itself', async () => {
  const id = newId();
  await running(id);
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error as ApiError,
    );
  const missing = await refusal(harness.gateway.scale(id, { component: 'nobody', replicas: 2 }, 'scale-1'));
  expect([missing?.code, missing?.message]).toEqual(['NOT_FOUND', `pipeline ${id} has no component nobody`]);
  const tooMany = await refusal(harness.gateway.scale(id, { component: 'ingestor', replicas: 11 }, 'scale-2'));
  expect(tooMany?.code).toBe('VALIDATION_FAILED');
  expect((await harness.gateway.view(id)).spec_revision).toBe(1);
});
