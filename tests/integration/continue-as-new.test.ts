import { workflowIdFor } from '../../pipeline/names';
import { COMMAND_SIGNALS } from '../../workflows/messages';
import { pipelineStatusKey } from '../../workflows/search-attributes';
import { eventually } from '../../harness/eventually';
import {
  CONTINUE_AS_NEW_AFTER_EVENTS,
  SUGGEST_CONTINUE_AS_NEW_EARLY,
  specFor,
  statusOf,
  useWorkflowHarness,
} from '../support/workflow-harness';
import { newPipelineId } from '../support/test-ids';

const harness = useWorkflowHarness(SUGGEST_CONTINUE_AS_NEW_EARLY);

/** `runId`, then the run it continued from, and so on back to the workflow's first run. */
async function runsContinuedFrom(workflowId: string, runId: string): Promise<string[]> {
  const chain = [runId];
  for (;;) {
    const history = await harness.env.client.workflow.getHandle(workflowId, chain[chain.length - 1]).fetchHistory();
    const previous = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return chain;
    chain.push(previous);
  }
}

test('a long-lived pipeline continues as new when the server suggests it, carrying its state and spec revisions', async () => {
  const id = newPipelineId('can');
  await harness.gateway.create(specFor(id), `create-${id}`);
  await statusOf(harness.gateway, id, 'Running');
  await harness.gateway.command(id, 'stop', 'before-1');
  await statusOf(harness.gateway, id, 'Stopped');
  const edited = { ...specFor(id), components: [{ name: 'ingestor', image: 'busybox:1.36', replicas: 2 }] };
  await harness.gateway.edit(id, { spec: edited }, 'before-edit');
  await harness.gateway.command(id, 'resume', 'before-2');
  await statusOf(harness.gateway, id, 'Running');

  const handle = harness.env.client.workflow.getHandle(workflowIdFor(id));
  const firstRun = (await handle.describe()).runId;
  const before = await harness.gateway.view(id);

  for (let i = 0; i < CONTINUE_AS_NEW_AFTER_EVENTS; i += 1) await handle.signal(COMMAND_SIGNALS.resume, { request_id: `noop-${i}` });
  const continued = await eventually(
    () => handle.describe(),
    (description) => description.runId !== firstRun,
  );
  expect(continued.typedSearchAttributes.get(pipelineStatusKey)).toBe('Running');
  // Signals sent after the continue-as-new reach the new run, which may continue again, so the chain is followed back.
  const chain = await runsContinuedFrom(workflowIdFor(id), continued.runId);
  // The edit's events may already have brought an earlier continue-as-new, so the first run looked at need not be the first.
  expect(chain.slice(1)).toContain(firstRun);

  const after = await harness.gateway.view(id);
  expect(after).toEqual(before);
  const record = await harness.gateway.get(id);
  expect(record).toMatchObject({
    pipeline_name: before.pipeline_name,
    created_at: before.created_at,
    overall_status: 'Running',
    spec_revision: 2,
    spec: edited,
  });
  expect((await harness.gateway.revision(id, 1)).spec).toEqual(specFor(id));
  expect((await harness.gateway.revision(id, 2)).spec).toEqual(edited);

  await harness.gateway.command(id, 'stop', 'after-1');
  await statusOf(harness.gateway, id, 'Stopped');
  // The new run has no memory of the update id; the kept revisions still recognise the request.
  const retried = await harness.gateway.edit(id, { spec: edited }, 'before-edit');
  expect([retried.outcome, retried.record.spec_revision]).toEqual(['noop', 2]);
  const rolledBack = await harness.gateway.edit(id, { rollback_to: 1 }, 'after-rollback');
  expect([rolledBack.record.spec_revision, rolledBack.record.spec]).toEqual([3, specFor(id)]);
  expect((await harness.gateway.view(id)).transitions.map((t) => t.request_id).filter(Boolean)).toEqual([
    'before-1',
    'before-edit',
    'before-2',
    'after-1',
    'after-rollback',
  ]);
  await harness.gateway.command(id, 'delete', 'gone');
  await expect(harness.gateway.get(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
});
