import { eventually } from '../../harness/eventually';
import { holdConsumer, sinkDelivery, streamFacts, threeStageComponents } from '../../harness/pipeline-data';
import type { ComponentSpec } from '../../pipeline/pipeline-spec';
import { useWeirSystem } from '../support/use-weir-system';
import { startWorkerProcess } from '../../harness/worker-process';
import { newPipelineId } from '../support/test-ids';
import { ROLLED_OUT_TO_REVISION_2, markedSteps, transitionsOf, untilRunningOn } from '../support/rolling-edit-steps';

const MESSAGES = 20_000;
const natsUrl = () => process.env.NATS_URL as string;

const weir = useWeirSystem({ env: { WEIR_STOP_DEADLINE_SECONDS: '120' } });

/** source → transform → sink; the source paced so that the messages are still flowing when the edit comes. */
function threeStages(id: string): { pipeline_id: string; name: string; components: ComponentSpec[] } {
  const components = threeStageComponents(MESSAGES).map((component) =>
    component.name === 'source' ? { ...component, env: { ...component.env, SOURCE_RATE: '2000' } } : component,
  );
  return { pipeline_id: id, name: `Rolling ${id}`, components };
}

/** The same pipeline with one more variable for the transform: the edit changes the transform only. */
function withTransformEnv(spec: ReturnType<typeof threeStages>): ReturnType<typeof threeStages> {
  return {
    ...spec,
    components: spec.components.map((component) =>
      component.name === 'transform' ? { ...component, env: { ...component.env, EDIT_MARK: 'two' } } : component,
    ),
  };
}

async function created(spec: ReturnType<typeof threeStages>): Promise<string> {
  expect((await weir.request('POST', '/api/v1/pipeline', spec)).status).toBe(201);
  weir.removeAtClose(spec.pipeline_id);
  return spec.pipeline_id;
}

async function rollingEdit(spec: ReturnType<typeof threeStages>, requestId: string) {
  return weir.request('PUT', `/api/v1/pipeline/${spec.pipeline_id}?apply=rolling`, spec, { 'X-Request-Id': requestId });
}

/** What reached the sink, against what the source got stored in the first stream. */
async function deliveries(id: string) {
  const { accepted } = await streamFacts(natsUrl(), id, 'raw');
  return { accepted, ...(await sinkDelivery(id, accepted)) };
}

async function everyMessageDelivered(id: string) {
  return eventually(
    () => deliveries(id),
    (facts) => facts.accepted === MESSAGES && facts.missing.length === 0,
    240_000,
    500,
  );
}

/** Terminates the pipeline unless Stopped, deletes it and checks that nothing of it is left. */
async function removed(id: string): Promise<void> {
  if ((await weir.request('GET', `/api/v1/pipeline/${id}/health`)).body.overall_status !== 'Stopped') {
    expect((await weir.request('POST', `/api/v1/pipeline/${id}/terminate`)).status).toBe(204);
    await weir.healthReaches(id, 'Stopped');
  }
  expect((await weir.request('DELETE', `/api/v1/pipeline/${id}`)).status).toBe(204);
  expect(await weir.leftovers(id)).toEqual({ containers: 0, networks: 0, volumes: 0 });
}

/** Once the source has stored some messages: they are on their way when the rolling edit comes. */
async function flowing(id: string): Promise<void> {
  await eventually(
    () => streamFacts(natsUrl(), id, 'raw'),
    (facts) => facts.accepted >= 2_000,
    60_000,
    50,
  );
}

/** The health of a pipeline until its drain shows unfinished messages. */
async function untilDrainHolds(id: string) {
  await eventually(
    () => weir.request('GET', `/api/v1/pipeline/${id}/health`),
    ({ body }) =>
      body.overall_status === 'Stopping' &&
      (body.components as Array<{ unfinished_messages: number | null }>).some((component) => (component.unfinished_messages ?? 0) > 0),
    60_000,
    50,
  );
}

test('a rolling edit under load delivers every one of 20,000 messages; only the transform is recreated; the history marks each step', async () => {
  const spec = threeStages(newPipelineId('roll'));
  const id = await created(spec);
  await weir.healthReaches(id, 'Running');
  const before = await weir.containers(id);
  await flowing(id);

  const edited = withTransformEnv(spec);
  const startedAt = Date.now();
  const answer = await rollingEdit(edited, 'rolling-1');
  const inFlight = MESSAGES - (await sinkDelivery(id, MESSAGES)).distinct;
  expect([answer.status, answer.body.overall_status, answer.body.rolling_edit]).toEqual([202, 'Stopping', 2]);
  expect(answer.headers.get('weir-command-outcome')).toBe('accepted');
  await untilRunningOn(weir, id, 2, 180_000);
  const rolledMs = Date.now() - startedAt;

  const facts = await everyMessageDelivered(id);
  console.log(
    `rolling edit under load: ${inFlight} of ${MESSAGES} not yet at the sink at the edit, Running on revision 2 after ${rolledMs} ms; ` +
      `delivered ${facts.distinct}, 0 lost, ${facts.duplicates} duplicates`,
  );
  expect(inFlight).toBeGreaterThan(0);
  expect(facts).toMatchObject({ accepted: MESSAGES, distinct: MESSAGES, missing: [] });

  const after = await weir.containers(id);
  const idOf = (containers: typeof before, component: string) => containers.get(`weir-${id}-${component}-0`)?.Id;
  expect(idOf(after, 'source')).toBe(idOf(before, 'source'));
  expect(idOf(after, 'sink')).toBe(idOf(before, 'sink'));
  expect(idOf(after, 'transform')).not.toBe(idOf(before, 'transform'));
  expect(after.get(`weir-${id}-transform-0`)?.Config.Env).toContain('EDIT_MARK=two');

  const records = await transitionsOf(weir, id);
  expect(markedSteps(records)).toEqual(ROLLED_OUT_TO_REVISION_2);
  expect(records[1]).toMatchObject({ command: 'rolling_edit', request_id: 'rolling-1' });
  expect(records[3]).toMatchObject({ spec_revision: 2, spec_change: { changed: [{ component: 'transform', fields: ['env.EDIT_MARK'] }] } });

  // The same request again changes nothing.
  expect((await rollingEdit(edited, 'rolling-1')).status).toBe(202);
  expect(await transitionsOf(weir, id)).toHaveLength(records.length);
  await removed(id);
});

test('terminate during the drain of a rolling edit ends Stopped on the old spec, and nothing resumes', async () => {
  const spec = threeStages(newPipelineId('rollterm'));
  const creating = created(spec);
  const release = await holdConsumer(natsUrl(), spec.pipeline_id, 'raw', 'transform');
  const id = await creating;
  try {
    await weir.healthReaches(id, 'Running');
    await flowing(id);
    expect((await rollingEdit(withTransformEnv(spec), 'rolling-1')).status).toBe(202);
    await untilDrainHolds(id);
    expect((await weir.request('POST', `/api/v1/pipeline/${id}/terminate`)).status).toBe(204);
    await weir.healthReaches(id, 'Stopped');
  } finally {
    await release();
  }
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const pipeline = (await weir.request('GET', `/api/v1/pipeline/${id}`)).body;
  expect([pipeline.overall_status, pipeline.spec_revision, pipeline.rolling_edit]).toEqual(['Stopped', 1, undefined]);
  expect(markedSteps(await transitionsOf(weir, id))).toEqual([
    'Created→Running',
    'Running→Stopping r2',
    'Stopping→Terminating r2',
    'Terminating→Stopped',
  ]);
  const states = [...(await weir.containers(id)).values()].map((container) => container.State.Running);
  expect(states).toEqual([false, false, false]);
  await removed(id);
});

test('a worker SIGKILLed mid-drain of a rolling edit is replaced, and the pipeline converges to Running on the new revision, nothing lost', async () => {
  await weir.stopWorker();
  const doomed = await startWorkerProcess();
  let killedAt: number | undefined;
  const spec = threeStages(newPipelineId('rollkill'));
  try {
    const creating = created(spec);
    const release = await holdConsumer(natsUrl(), spec.pipeline_id, 'raw', 'transform');
    await creating;
    try {
      await weir.healthReaches(spec.pipeline_id, 'Running');
      await flowing(spec.pipeline_id);
      expect((await rollingEdit(withTransformEnv(spec), 'rolling-1')).status).toBe(202);
      await untilDrainHolds(spec.pipeline_id);
      doomed.kill('SIGKILL');
      killedAt = Date.now();
    } finally {
      await release();
    }
  } finally {
    doomed.kill('SIGKILL');
    await weir.startWorker();
  }
  const id = spec.pipeline_id;
  await untilRunningOn(weir, id, 2, 240_000);
  const convergedMs = Date.now() - (killedAt as number);
  const facts = await everyMessageDelivered(id);
  console.log(
    `worker SIGKILLed mid-rolling-edit: Running on revision 2 ${convergedMs} ms after the kill; ` +
      `delivered ${facts.distinct} of ${MESSAGES}, 0 lost, ${facts.duplicates} duplicates`,
  );
  expect(facts).toMatchObject({ accepted: MESSAGES, distinct: MESSAGES, missing: [] });
  expect(markedSteps(await transitionsOf(weir, id))).toEqual(ROLLED_OUT_TO_REVISION_2);
  await removed(id);
  // The drain's retry waits out its 30 s heartbeat timeout, after a worker process of its own has started.
}, 300_000);
