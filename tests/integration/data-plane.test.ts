import { eventually } from '../../harness/eventually';
import { startWorkerProcess } from '../../harness/worker-process';
import { holdConsumer, sinkDelivery, streamFacts, threeStageComponents } from '../../harness/pipeline-data';
import { useWeirSystem } from '../support/use-weir-system';
import { newPipelineId } from '../support/test-ids';

const MESSAGES = 20_000;
const natsUrl = () => process.env.NATS_URL as string;

const weir = useWeirSystem({ env: { WEIR_STOP_DEADLINE_SECONDS: '120' } });
const newId = () => newPipelineId('dp');

/** source → transform → sink, listed sink first so that the drain has to work out the order itself. */
const threeStages = (pipelineId: string, count = MESSAGES) => ({
  pipeline_id: pipelineId,
  name: `Three stages ${pipelineId}`,
  components: threeStageComponents(count).reverse(),
});

/** Sequence numbers the source got stored in the first stream, against what the sink wrote. */
async function deliveries(id: string) {
  const { accepted } = await streamFacts(natsUrl(), id, 'raw');
  return { accepted, ...(await sinkDelivery(id, accepted)) };
}

/** Messages still held in the pipeline's two streams. */
async function heldMessages(id: string) {
  return { raw: (await streamFacts(natsUrl(), id, 'raw')).held, clean: (await streamFacts(natsUrl(), id, 'clean')).held };
}

async function deleteAndCheckNothingLeft(id: string) {
  const current = (await weir.request('GET', `/api/v1/pipeline/${id}/health`)).body.overall_status;
  if (current !== 'Stopped') {
    await weir.request('POST', `/api/v1/pipeline/${id}/terminate`);
    await weir.healthReaches(id, 'Stopped');
  }
  expect((await weir.request('DELETE', `/api/v1/pipeline/${id}`)).status).toBe(204);
  expect(await weir.leftovers(id)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  expect((await streamFacts(natsUrl(), id, 'raw')).streams).toEqual([]);
}

test('components get their streams and environment; acknowledged messages leave the streams; delete removes streams and consumers too', async () => {
  const id = newId();
  expect((await weir.request('POST', '/api/v1/pipeline', threeStages(id, 10))).status).toBe(201);
  await weir.healthReaches(id, 'Running');
  const transform = (await weir.containers(id)).get(`weir-${id}-transform-0`)!;
  expect(transform.Config.Env).toEqual(
    expect.arrayContaining([
      `NATS_URL=${natsUrl()}`,
      `WEIR_PIPELINE_ID=${id}`,
      'WEIR_COMPONENT=transform',
      `WEIR_INPUT_STREAM=weir_${id}_raw`,
      'WEIR_INPUT_CONSUMER=transform',
      `WEIR_OUTPUT_SUBJECT=weir.${id}.clean`,
    ]),
  );
  expect((await streamFacts(natsUrl(), id, 'raw')).streams.sort()).toEqual([`weir_${id}_clean`, `weir_${id}_raw`]);
  await eventually(
    () => deliveries(id),
    (facts) => facts.distinct === 10,
  );
  await eventually(
    () => heldMessages(id),
    (held) => held.raw === 0 && held.clean === 0,
  );
  await deleteAndCheckNothingLeft(id);
});

/** Waits until the source has stored all its messages, so they are in flight downstream when the test acts. */
async function sourceDone(id: string, count = MESSAGES) {
  await eventually(
    () => streamFacts(natsUrl(), id, 'raw'),
    (facts) => facts.accepted === count,
    120_000,
    50,
  );
}

/** Health until `accept` holds, remembering the most unfinished messages any component showed. */
async function watchHealth(
  id: string,
  accept: (health: { overall_status: string; unfinishedMax: number }) => boolean,
  timeoutMs = 180_000,
) {
  let unfinishedMax = 0;
  await eventually(
    async () => {
      const health = await weir.request('GET', `/api/v1/pipeline/${id}/health`);
      for (const component of health.body.components as Array<{ unfinished_messages: number | null }>) {
        unfinishedMax = Math.max(unfinishedMax, component.unfinished_messages ?? 0);
      }
      return { overall_status: health.body.overall_status as string, unfinishedMax };
    },
    accept,
    timeoutMs,
    50,
  );
  return unfinishedMax;
}

/**
 * Holds all the source's messages in flight: the transform's consumer is paused from the moment Weir
 * provisions it until the test lets it go, so every message waits in the first stream.
 */
async function withMessagesInFlight(id: string) {
  const created = weir.request('POST', '/api/v1/pipeline', threeStages(id));
  const release = await holdConsumer(natsUrl(), id, 'raw', 'transform');
  expect((await created).status).toBe(201);
  await weir.healthReaches(id, 'Running');
  await sourceDone(id);
  return { resumeTransform: release };
}

test('a graceful stop with 20,000 messages in flight delivers every one exactly once; health shows the drain', async () => {
  const id = newId();
  const { resumeTransform } = await withMessagesInFlight(id);
  const atStop = (await sinkDelivery(id, MESSAGES)).distinct;
  expect((await weir.request('POST', `/api/v1/pipeline/${id}/stop`)).status).toBe(204);
  const seenBeforeResume = await watchHealth(id, (health) => health.unfinishedMax >= MESSAGES);
  await resumeTransform();
  const seen = await watchHealth(id, (health) => health.overall_status === 'Stopped');

  const facts = await deliveries(id);
  console.log(
    `graceful stop: ${MESSAGES - atStop} of ${MESSAGES} in flight at the stop; health showed ${Math.max(seen, seenBeforeResume)} unfinished; ` +
      `delivered ${facts.distinct}, ${facts.duplicates} duplicates`,
  );
  expect(atStop).toBe(0);
  expect(facts).toEqual({ accepted: MESSAGES, distinct: MESSAGES, duplicates: 0, missing: [] });
  expect(await heldMessages(id)).toEqual({ raw: 0, clean: 0 });
  const transitions = (await weir.request('GET', `/api/v1/pipeline/${id}/history`)).body.transitions;
  expect(transitions.map((t: { to: string }) => t.to)).toEqual(['Running', 'Stopping', 'Stopped']);
  await deleteAndCheckNothingLeft(id);
});

test('terminate loses nothing: a resume delivers every message, at least once', async () => {
  const id = newId();
  await weir.request('POST', '/api/v1/pipeline', threeStages(id));
  await weir.healthReaches(id, 'Running');
  await weir.request('POST', `/api/v1/pipeline/${id}/terminate`);
  await weir.healthReaches(id, 'Stopped');
  const [exit] = [...(await weir.containers(id)).values()].map((container) => container.State.ExitCode);
  expect(exit).toBe(137);

  await weir.request('POST', `/api/v1/pipeline/${id}/resume`);
  await weir.healthReaches(id, 'Running');
  const facts = await eventually(
    () => deliveries(id),
    (current) => current.accepted === MESSAGES && current.missing.length === 0,
    180_000,
    500,
  );
  console.log(`terminate then resume: ${facts.distinct} distinct of ${MESSAGES}, ${facts.duplicates} duplicates`);
  expect(facts.distinct).toBe(MESSAGES);
  await deleteAndCheckNothingLeft(id);
});

test('a worker killed mid-drain does not stop the stop: another worker finishes it and nothing is lost', async () => {
  await weir.stopWorker();
  const doomed = await startWorkerProcess();
  const id = newId();
  try {
    const { resumeTransform } = await withMessagesInFlight(id);
    await weir.request('POST', `/api/v1/pipeline/${id}/stop`);
    await watchHealth(id, (health) => health.unfinishedMax > 0);
    doomed.kill('SIGKILL');
    await resumeTransform();
  } finally {
    doomed.kill('SIGKILL');
    await weir.startWorker();
  }
  await watchHealth(id, (health) => health.overall_status === 'Stopped');
  const facts = await deliveries(id);
  console.log(`worker killed mid-drain: delivered ${facts.distinct} of ${facts.accepted}, ${facts.duplicates} duplicates`);
  expect(facts).toMatchObject({ accepted: MESSAGES, distinct: MESSAGES, missing: [] });
  expect((await weir.request('GET', `/api/v1/pipeline/${id}/history`)).body.transitions.map((t: { to: string }) => t.to)).toEqual([
    'Running',
    'Stopping',
    'Stopped',
  ]);
  await deleteAndCheckNothingLeft(id);
});

test('a component killed with docker kill fails the pipeline within seconds, naming it; terminate and resume recover', async () => {
  const id = newId();
  await weir.request('POST', '/api/v1/pipeline', threeStages(id, 10));
  await weir.healthReaches(id, 'Running');
  const killedAt = Date.now();
  await weir.docker.getContainer(`weir-${id}-transform-0`).kill({ signal: 'SIGKILL' });
  const failed = await weir.healthReaches(id, 'Failed', 30_000);
  const detection = Date.now() - killedAt;
  console.log(`component death to Failed: ${detection} ms`);
  expect(detection).toBeLessThan(5000);
  expect(failed.body.failure).toMatchObject({ operation: 'monitor', component: 'transform' });
  expect(failed.body.failure.error).toContain('exited with code 137');
  expect(failed.body.components.find((c: { name: string }) => c.name === 'transform').state).toBe('failed');

  await weir.request('POST', `/api/v1/pipeline/${id}/terminate`);
  await weir.healthReaches(id, 'Stopped');
  await weir.request('POST', `/api/v1/pipeline/${id}/resume`);
  await weir.healthReaches(id, 'Running');
  await deleteAndCheckNothingLeft(id);
});
