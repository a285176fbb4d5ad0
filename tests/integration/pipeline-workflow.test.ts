import { ApplicationFailure } from '@temporalio/common';
import { ComponentExitedError } from '../../activities/errors';
import { workflowIdFor } from '../../pipeline/names';
import { pipelineStatusKey } from '../../workflows/search-attributes';
import { COMMAND_SIGNALS, COMMAND_UPDATES } from '../../workflows/messages';
import { eventually } from '../../harness/eventually';
import { Gate } from '../support/fake-orchestrator';
import { FAST_SETTINGS, apiFailureOf, specFor, statusOf, useWorkflowHarness } from '../support/workflow-harness';
import { newPipelineId } from '../support/test-ids';

const harness = useWorkflowHarness();
const newId = () => newPipelineId('wf');

async function createRunning(behaviour = {}) {
  const id = newId();
  harness.orchestrator.configure(id, behaviour);
  await harness.gateway.create(specFor(id), `create-${id}`);
  await statusOf(harness.gateway, id, 'Running');
  return id;
}

test('a pipeline goes through its whole lifecycle and ends when deleted', async () => {
  const id = await createRunning();
  const { gateway, orchestrator, env } = harness;

  expect(await gateway.command(id, 'stop', 'r1')).toEqual({ outcome: 'accepted', status: 'Stopping' });
  await statusOf(gateway, id, 'Stopped');
  expect(await gateway.command(id, 'resume', 'r2')).toEqual({ outcome: 'accepted', status: 'Resuming' });
  await statusOf(gateway, id, 'Running');
  expect(await gateway.command(id, 'terminate', 'r3')).toEqual({ outcome: 'accepted', status: 'Terminating' });
  await statusOf(gateway, id, 'Stopped');

  const view = await gateway.view(id);
  expect(view.transitions.map((t) => `${t.from}>${t.to}:${t.command ?? t.reason}:${t.request_id}`)).toEqual([
    'Created>Running:deploy completed:null',
    'Running>Stopping:stop:r1',
    'Stopping>Stopped:stop completed:null',
    'Stopped>Resuming:resume:r2',
    'Resuming>Running:resume completed:null',
    'Running>Terminating:terminate:r3',
    'Terminating>Stopped:terminate completed:null',
  ]);

  const description = await env.client.workflow.getHandle(workflowIdFor(id)).describe();
  expect(description.typedSearchAttributes.get(pipelineStatusKey)).toBe('Stopped');

  expect(await gateway.command(id, 'delete', 'r4')).toEqual({ outcome: 'accepted', status: 'Deleting' });
  expect(orchestrator.callsFor(id)).toEqual([
    'deploy',
    'waitUntilReady',
    'watch',
    'stopGracefully',
    'startAgain',
    'waitUntilReady',
    'watch',
    'kill',
    'remove',
  ]);
  await expect(gateway.get(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  await expect(gateway.command(id, 'stop', 'r5')).rejects.toMatchObject({ code: 'NOT_FOUND' });
});

test('no-op commands answer without changing anything', async () => {
  const id = await createRunning();
  const { gateway } = harness;
  expect(await gateway.command(id, 'resume', 'a')).toEqual({ outcome: 'noop', status: 'Running' });
  await gateway.command(id, 'stop', 'b');
  await statusOf(gateway, id, 'Stopped');
  for (const command of ['stop', 'terminate'] as const) {
    expect(await gateway.command(id, command, `again-${command}`)).toEqual({ outcome: 'noop', status: 'Stopped' });
  }
  expect((await gateway.view(id)).transitions).toHaveLength(3);
});

test('validators refuse commands that contradict the status, naming it and the allowed actions', async () => {
  const id = await createRunning();
  const error = await apiFailureOf(harness.gateway.command(id, 'delete', 'x'));
  expect(error.code).toBe('INVALID_TRANSITION');
  expect(error.message).toBe('cannot delete a pipeline that is Running');
  expect(error.details).toEqual({ current_status: 'Running', allowed_actions: ['stop', 'terminate', 'rolling_edit', 'scale'] });
  expect((await harness.gateway.view(id)).transitions).toHaveLength(1);
});

test('a command retried with the same request id is applied once', async () => {
  const id = await createRunning({ blocked: { stopGracefully: new Gate() } });
  const first = await harness.gateway.command(id, 'stop', 'same');
  const second = await harness.gateway.command(id, 'stop', 'same');
  expect(first).toEqual(second);
  expect((await harness.gateway.view(id)).transitions.filter((t) => t.request_id === 'same')).toHaveLength(1);
  await harness.gateway.command(id, 'terminate', 'cleanup');
});

test('an operation that exhausts its retries puts the pipeline in Failed with a reason; terminate cleans up', async () => {
  const id = newId();
  harness.orchestrator.configure(id, { failing: { deploy: () => new Error('engine said no') } });
  await harness.gateway.create(specFor(id), `create-${id}`);
  const failed = await statusOf(harness.gateway, id, 'Failed');
  expect(failed.failure).toMatchObject({
    operation: 'deploy',
    component: null,
    error: 'engine said no',
    attempts: FAST_SETTINGS.max_attempts,
  });
  expect(harness.orchestrator.callsFor(id)).toEqual(['deploy', 'deploy', 'deploy']);

  for (const command of ['stop', 'resume', 'delete'] as const) {
    expect((await apiFailureOf(harness.gateway.command(id, command, `r-${command}`))).code).toBe('INVALID_TRANSITION');
  }
  await harness.gateway.command(id, 'terminate', 't');
  const stopped = await statusOf(harness.gateway, id, 'Stopped');
  expect(stopped.failure).toBeNull();
  await harness.gateway.command(id, 'delete', 'd');
  await expect(harness.gateway.get(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
});

test('a non-retryable error fails at once', async () => {
  const id = newId();
  harness.orchestrator.configure(id, {
    failing: {
      deploy: () =>
        ApplicationFailure.nonRetryable('image nope:1 is not available', 'ImageUnavailable', { component: 'ingestor', attempt: 1 }),
    },
  });
  await harness.gateway.create(specFor(id), `create-${id}`);
  const failed = await statusOf(harness.gateway, id, 'Failed');
  expect(failed.failure).toMatchObject({ operation: 'deploy', component: 'ingestor', attempts: 1 });
  expect(harness.orchestrator.callsFor(id)).toEqual(['deploy']);
});

test('terminate cancels a graceful stop in flight', async () => {
  const gate = new Gate();
  const id = await createRunning({ blocked: { stopGracefully: gate } });
  await harness.gateway.command(id, 'stop', 's');
  await statusOf(harness.gateway, id, 'Stopping');
  await harness.gateway.command(id, 'terminate', 't');
  await statusOf(harness.gateway, id, 'Stopped');
  gate.open();
  const view = await harness.gateway.view(id);
  expect(view.transitions.map((t) => t.to)).toEqual(['Running', 'Stopping', 'Terminating', 'Stopped']);
  expect(harness.orchestrator.callsFor(id)).toEqual(['deploy', 'waitUntilReady', 'watch', 'stopGracefully', 'kill']);
});

test('a command sent to settle answers once the pipeline settles, with its memo; terminate ends a stop waited on', async () => {
  const gate = new Gate();
  const id = await createRunning({ blocked: { stopGracefully: gate } });
  const { gateway, env } = harness;
  let accepted = false;
  const stopping = gateway.commandUntilSettled(id, 'stop', 'settle-stop', 30_000, () => (accepted = true));
  await statusOf(gateway, id, 'Stopping');
  expect(accepted).toBe(true);
  // Held in the drain: the answer waits for the end, which terminate brings.
  expect(await gateway.command(id, 'terminate', 'settle-terminate')).toEqual({ outcome: 'accepted', status: 'Terminating' });
  const answer = await stopping;
  expect(answer).toMatchObject({ outcome: 'accepted', status: 'Stopped', record: { pipeline_id: id, overall_status: 'Stopped' } });
  expect(answer?.record?.spec).toEqual((await gateway.get(id)).spec);
  gate.open();

  // The same request again is a no-op that answers at once, settled.
  expect(await gateway.commandUntilSettled(id, 'stop', 'settle-stop-2', 30_000, () => undefined)).toMatchObject({
    outcome: 'noop',
    status: 'Stopped',
  });
  // A malformed wait is refused by the validator and changes nothing.
  const handle = env.client.workflow.getHandle(workflowIdFor(id));
  for (const settle_within_ms of [0, 1.5, 120_001]) {
    const refused = await handle
      .executeUpdate(COMMAND_UPDATES.resume, { args: [{ request_id: 'bad', settle_within_ms }] })
      .catch((error: { cause?: Error }) => error.cause?.message);
    expect(refused).toBe('settle_within_ms must be a whole number of milliseconds from 1 to 120000');
  }
  expect((await gateway.view(id)).transitions.map((t) => t.to)).toEqual(['Running', 'Stopping', 'Terminating', 'Stopped']);
});

test('terminate aborts a start in flight', async () => {
  const id = newId();
  harness.orchestrator.configure(id, { blocked: { waitUntilReady: new Gate() } });
  await harness.gateway.create(specFor(id), `create-${id}`);
  await harness.gateway.command(id, 'terminate', 't');
  await statusOf(harness.gateway, id, 'Stopped');
  expect((await harness.gateway.view(id)).transitions.map((t) => t.to)).toEqual(['Terminating', 'Stopped']);
});

test('signals drive the pipeline; an invalid signal is recorded as refused', async () => {
  const id = await createRunning();
  const handle = harness.env.client.workflow.getHandle(workflowIdFor(id));
  await handle.signal(COMMAND_SIGNALS.delete);
  await handle.signal(COMMAND_SIGNALS.resume, { request_id: 'noop' });
  await handle.signal(COMMAND_SIGNALS.stop);
  await statusOf(harness.gateway, id, 'Stopped');
  const transitions = (await harness.gateway.view(id)).transitions;
  expect(transitions.map((t) => [t.from, t.to, t.command, t.source, t.outcome])).toEqual([
    ['Created', 'Running', null, 'workflow', 'applied'],
    ['Running', 'Running', 'delete', 'signal', 'refused'],
    ['Running', 'Stopping', 'stop', 'signal', 'applied'],
    ['Stopping', 'Stopped', null, 'workflow', 'applied'],
  ]);
  expect(transitions[1].reason).toBe('cannot delete a pipeline that is Running');
});

test('a failed delete leaves the pipeline Failed and the workflow alive', async () => {
  const id = await createRunning({ failing: { remove: () => new Error('volume busy') } });
  await harness.gateway.command(id, 'terminate', 't');
  await statusOf(harness.gateway, id, 'Stopped');
  await expect(harness.gateway.command(id, 'delete', 'd')).rejects.toMatchObject({
    code: 'INTERNAL',
    message: 'delete failed: volume busy',
  });
  const record = await harness.gateway.get(id);
  expect(record.overall_status).toBe('Failed');
  expect(record.failure).toMatchObject({ operation: 'delete', error: 'volume busy', attempts: FAST_SETTINGS.max_attempts });
});

test('a pipeline being deleted is Deleting everywhere: it refuses other commands, and a second delete joins the removal', async () => {
  const removal = new Gate();
  const id = await createRunning({ blocked: { remove: removal } });
  await harness.gateway.command(id, 'terminate', 't');
  await statusOf(harness.gateway, id, 'Stopped');

  const deleted = harness.gateway.command(id, 'delete', 'first');
  const deleting = await statusOf(harness.gateway, id, 'Deleting');
  expect(deleting.overall_status).toBe('Deleting');
  // What `temporal workflow list --query "PipelineStatus='Deleting'"` finds; visibility lags a little behind.
  await eventually(
    () => harness.env.client.workflow.count(`WorkflowId = '${workflowIdFor(id)}' AND PipelineStatus = 'Deleting'`),
    ({ count }) => count === 1,
  );
  for (const command of ['stop', 'terminate', 'resume'] as const) {
    const error = await apiFailureOf(harness.gateway.command(id, command, `during-${command}`));
    expect(error).toMatchObject({ code: 'INVALID_TRANSITION', message: `cannot ${command} a pipeline that is Deleting` });
    expect(error.details).toEqual({ current_status: 'Deleting', allowed_actions: ['delete'] });
  }
  const joined = harness.gateway.command(id, 'delete', 'second');
  removal.open();
  await expect(deleted).resolves.toEqual({ outcome: 'accepted', status: 'Deleting' });
  await expect(joined).resolves.toEqual({ outcome: 'accepted', status: 'Deleting' });
  expect(harness.orchestrator.callsFor(id).filter((call) => call === 'remove')).toHaveLength(1);
  await expect(harness.gateway.get(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
});

test('Terminating refuses resume and delete; stop and terminate are no-ops', async () => {
  const gate = new Gate();
  const id = await createRunning({ blocked: { kill: gate } });
  await harness.gateway.command(id, 'terminate', 't1');
  for (const command of ['resume', 'delete'] as const) {
    const error = await apiFailureOf(harness.gateway.command(id, command, `r-${command}`));
    expect([error.code, error.message]).toEqual(['INVALID_TRANSITION', `cannot ${command} a pipeline that is Terminating`]);
  }
  expect(await harness.gateway.command(id, 'stop', 's')).toEqual({ outcome: 'noop', status: 'Terminating' });
  expect(await harness.gateway.command(id, 'terminate', 't2')).toEqual({ outcome: 'noop', status: 'Terminating' });
  gate.open();
  await statusOf(harness.gateway, id, 'Stopped');
});

test('a component that fails while Running puts the pipeline in Failed, naming it', async () => {
  const id = newId();
  harness.orchestrator.configure(id, { failing: { watch: () => new ComponentExitedError('sink', 3, 'boom') } });
  await harness.gateway.create(specFor(id), `create-${id}`);
  const failed = await statusOf(harness.gateway, id, 'Failed');
  expect(failed.failure).toMatchObject({ operation: 'monitor', component: 'sink', attempts: 1 });
  expect(failed.failure?.error).toBe('component sink exited with code 3; last log lines: boom');
  await harness.gateway.command(id, 'terminate', 't');
  await statusOf(harness.gateway, id, 'Stopped');
  expect(harness.orchestrator.callsFor(id)).toEqual(['deploy', 'waitUntilReady', 'watch', 'kill']);
});

test('a stop that outlives its deadline escalates to terminate, and the history says why', async () => {
  const id = await createRunning({ blocked: { stopGracefully: new Gate() } });
  await harness.gateway.command(id, 'stop', 's');
  await statusOf(harness.gateway, id, 'Stopped', 20_000);
  const transitions = (await harness.gateway.view(id)).transitions;
  expect(transitions.map((t) => t.to)).toEqual(['Running', 'Stopping', 'Terminating', 'Stopped']);
  expect(transitions[2]).toMatchObject({
    source: 'workflow',
    command: null,
    reason: `stop deadline of ${FAST_SETTINGS.stop_deadline_seconds}s passed before the drain finished; escalated to terminate`,
  });
});
