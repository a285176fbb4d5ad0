import { eventually } from '../../harness/eventually';
import { EventStreamClient } from '../../harness/event-stream-client';
import { scrape, sampleSum } from '../../harness/metrics-scrape';
import { sleeperPipeline } from '../support/sleeper-pipeline';
import { newPipelineId } from '../support/test-ids';
import { useWeirSystem } from '../support/use-weir-system';

const weir = useWeirSystem();
const newId = () => newPipelineId('ev');
const pipelinePath = (id: string) => `/api/v1/pipeline/${id}`;

async function runningPipeline(): Promise<string> {
  const id = newId();
  expect((await weir.request('POST', '/api/v1/pipeline', sleeperPipeline(id))).status).toBe(201);
  await weir.healthReaches(id, 'Running');
  return id;
}

test('?wait answers with the settled health, or 202 with the current one when the wait runs out', async () => {
  const id = await runningPipeline();

  const stop = await weir.request('POST', `${pipelinePath(id)}/stop?wait=30`);
  expect(stop.status).toBe(200);
  expect(stop.headers.get('weir-command-outcome')).toBe('accepted');
  expect(stop.body).toMatchObject({ pipeline_id: id, overall_status: 'Stopped', components: [{ name: 'ingestor', state: 'stopped' }] });

  // Resuming takes at least the readiness floor of a second, so a wait of 0 runs out.
  const resume = await weir.request('POST', `${pipelinePath(id)}/resume?wait=0`);
  expect(resume.status).toBe(202);
  expect(resume.body.overall_status).toBe('Resuming');
  // The same command again is a no-op, and waits for the resume in flight.
  const resumed = await weir.request('POST', `${pipelinePath(id)}/resume?wait=30`);
  expect(resumed.status).toBe(200);
  expect(resumed.headers.get('weir-command-outcome')).toBe('noop');
  // The components show as the watch's first heartbeat reports them, which may not have come yet.
  expect(resumed.body).toMatchObject({ overall_status: 'Running', components: [{ name: 'ingestor' }] });

  const terminate = await weir.request('POST', `${pipelinePath(id)}/terminate?wait=30`);
  expect(terminate.status).toBe(200);
  expect(terminate.body.overall_status).toBe('Stopped');
  // Settled already: the answer does not wait.
  const again = await weir.request('POST', `${pipelinePath(id)}/stop?wait=30`);
  expect([again.status, again.headers.get('weir-command-outcome'), again.body.overall_status]).toEqual([200, 'noop', 'Stopped']);

  const deleted = await weir.request('DELETE', `${pipelinePath(id)}?wait=30`);
  expect(deleted.status).toBe(204);
  expect((await weir.request('GET', pipelinePath(id))).status).toBe(404);
});

test('a delete whose wait runs out answers 202 with the Deleting health, and the removal goes on', async () => {
  const id = await runningPipeline();
  expect((await weir.request('POST', `${pipelinePath(id)}/terminate?wait=30`)).body.overall_status).toBe('Stopped');
  const deleting = await weir.request('DELETE', `${pipelinePath(id)}?wait=0`);
  expect(deleting.status).toBe(202);
  expect(deleting.body.overall_status).toBe('Deleting');
  await eventually(
    () => weir.request('GET', pipelinePath(id)),
    (answer) => answer.status === 404,
    30_000,
  );
  expect(await weir.leftovers(id)).toEqual({ containers: 0, networks: 0, volumes: 0 });
});

test('wait must be a whole number of seconds up to 120, and commands take no other query parameter', async () => {
  const id = await runningPipeline();
  for (const query of ['wait=abc', 'wait=1.5', 'wait=-1', 'wait=121', 'other=1']) {
    const answer = await weir.request('POST', `${pipelinePath(id)}/stop?${query}`);
    expect([query, answer.status, answer.body.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
  }
  expect((await weir.request('GET', pipelinePath(id))).body.overall_status).toBe('Running');
  await weir.request('POST', `${pipelinePath(id)}/terminate?wait=30`);
  await weir.request('DELETE', pipelinePath(id));
});

test('the event stream sends transitions with their sequence numbers as ids, resumes after Last-Event-ID, and ends on delete', async () => {
  const id = newId();
  expect((await weir.request('POST', '/api/v1/pipeline', sleeperPipeline(id))).status).toBe(201);
  // Last-Event-ID 0: every transition from the first, however far the pipeline got before the stream opened.
  const first = await EventStreamClient.open(weir.url, `${pipelinePath(id)}/events`, { 'last-event-id': '0' });
  expect(first.status).toBe(200);
  const [running] = await first.next(1, 'transition');
  expect(first.events.filter((event) => event.event === 'status')).toEqual([]);
  expect(running).toMatchObject({
    id: '1',
    data: { pipeline_id: id, seq: 1, from: 'Created', to: 'Running', source: 'workflow', command: null },
  });
  // Once Running, a health event tells of the component's state.
  await eventually(
    async () => first.events.filter((event) => event.event === 'health').map((event) => event.data.components[0].state),
    (states) => states.includes('running'),
    30_000,
  );
  first.close();

  const stop = await weir.request('POST', `${pipelinePath(id)}/stop?wait=30`, undefined, { 'x-request-id': 'events-stop-1' });
  expect(stop.body.overall_status).toBe('Stopped');

  const resumed = await EventStreamClient.open(weir.url, `${pipelinePath(id)}/events`, { 'last-event-id': running.id! });
  const missed = await resumed.next(2, 'transition');
  expect(
    missed.map((event) => [event.id, event.data.from, event.data.to, event.data.command, event.data.source, event.data.request_id]),
  ).toEqual([
    ['2', 'Running', 'Stopping', 'stop', 'api', 'events-stop-1'],
    ['3', 'Stopping', 'Stopped', null, 'workflow', null],
  ]);
  expect(missed[1].data.reason).toBe('stop completed');
  // Exactly the missed ones: nothing before them, nothing after while the pipeline rests.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(resumed.events.map((event) => event.event)).toEqual(['transition', 'transition']);

  // Without Last-Event-ID a stream opens with the status, whose id is the last transition's.
  const fresh = await EventStreamClient.open(weir.url, `${pipelinePath(id)}/events`);
  const [status] = await fresh.next(1);
  expect(status).toMatchObject({ event: 'status', id: '3', data: { overall_status: 'Stopped' } });

  expect((await weir.request('DELETE', pipelinePath(id), undefined, { 'x-request-id': 'events-delete-1' })).status).toBe(204);
  for (const stream of [resumed, fresh]) {
    const transitions = await stream.next(1, 'deleted');
    expect(transitions[0].data).toMatchObject({ pipeline_id: id });
    await stream.untilEnded();
  }
  expect(resumed.transitions().map((event) => [event.id, event.data.to, event.data.request_id])).toEqual([
    ['2', 'Stopping', 'events-stop-1'],
    ['3', 'Stopped', null],
    ['4', 'Deleting', 'events-delete-1'],
  ]);
  expect(resumed.events[resumed.events.length - 1].event).toBe('deleted');
});

test('an event stream of an unknown pipeline is 404, and a bad Last-Event-ID is 400', async () => {
  const missing = await weir.request('GET', `${pipelinePath('no-such-pipeline')}/events`);
  expect([missing.status, missing.body.code]).toEqual([404, 'NOT_FOUND']);
  const id = await runningPipeline();
  const bad = await weir.request('GET', `${pipelinePath(id)}/events`, undefined, { 'last-event-id': 'seven' });
  expect([bad.status, bad.body.code, Object.keys(bad.body.details.fields)]).toEqual([400, 'VALIDATION_FAILED', ['Last-Event-ID']]);
  await weir.request('POST', `${pipelinePath(id)}/terminate?wait=30`);
  await weir.request('DELETE', pipelinePath(id));
});

/** Temporal calls the watchers make: history long polls, status queries and health describes. */
const WATCH_OPERATIONS = ['history', 'query', 'describe'];

async function watchCalls(): Promise<number> {
  const metrics = await scrape(weir.url);
  return WATCH_OPERATIONS.reduce((sum, operation) => sum + sampleSum(metrics, 'weir_api_temporal_calls_total', { operation }), 0);
}

/** Opens `clients` streams on a Running pipeline, stops and resumes it, and counts the watch calls until all have seen it. */
async function stopAndResumeWatchedBy(id: string, clients: number): Promise<{ calls: number; streams: EventStreamClient[] }> {
  const streams = await Promise.all(Array.from({ length: clients }, () => EventStreamClient.open(weir.url, `${pipelinePath(id)}/events`)));
  await Promise.all(streams.map((stream) => stream.next(1, 'status')));
  const before = await watchCalls();
  expect((await weir.request('POST', `${pipelinePath(id)}/stop?wait=30`)).body.overall_status).toBe('Stopped');
  expect((await weir.request('POST', `${pipelinePath(id)}/resume?wait=30`)).body.overall_status).toBe('Running');
  await Promise.all(streams.map((stream) => stream.next(4, 'transition')));
  const calls = (await watchCalls()) - before;
  for (const stream of streams) stream.close();
  return { calls, streams };
}

test('100 streams of one pipeline all get every transition, for about the Temporal calls of one', async () => {
  const id = await runningPipeline();
  const one = await stopAndResumeWatchedBy(id, 1);
  const hundred = await stopAndResumeWatchedBy(id, 100);
  const toSequence = (stream: EventStreamClient) => stream.transitions().map((event) => `${event.id}:${event.data.to}`);
  const expected = toSequence(hundred.streams[0]).slice(0, 4);
  expect(expected.map((entry) => entry.split(':')[1])).toEqual(['Stopping', 'Stopped', 'Resuming', 'Running']);
  for (const stream of hundred.streams) expect(toSequence(stream).slice(0, 4)).toEqual(expected);
  console.log(`watch calls for a stop and a resume: ${one.calls} with 1 stream, ${hundred.calls} with 100`);
  expect(hundred.calls).toBeLessThan(2 * one.calls);
  await weir.request('POST', `${pipelinePath(id)}/terminate?wait=30`);
  await weir.request('DELETE', pipelinePath(id));
});
