import pino from 'pino';
import type { ChildProcess } from 'node:child_process';
import { startApi, type RunningApi } from '../../api/start-api';
import { loadConfig } from '../../config';
import { findFreePort } from '../../scripts/ports';
import { EventStreamClient } from '../../harness/event-stream-client';
import { eventually } from '../../harness/eventually';
import { scrape, sampleSum, type Sample } from '../../harness/metrics-scrape';
import { rawRequest } from '../support/raw-http';
import { holdConsumer, streamFacts, threeStageComponents } from '../../harness/pipeline-data';
import { sleeperPipeline } from '../support/sleeper-pipeline';
import { newPipelineId } from '../support/test-ids';
import { useWeirSystem } from '../support/use-weir-system';
import { startWorkerProcess } from '../../harness/worker-process';

const TOKEN = 'metrics-test-token-0123456789';
const natsUrl = () => process.env.NATS_URL as string;

const weir = useWeirSystem({ env: { WEIR_STOP_DEADLINE_SECONDS: '120' } });
const newId = () => newPipelineId('met');
const pipelinePath = (id: string) => `/api/v1/pipeline/${id}`;

const stays = (samples: Sample[], status: string, next: string) =>
  sampleSum(samples, 'weir_transient_status_duration_seconds_count', { status, next });
const commands = (samples: Sample[], command: string, outcome: string) => sampleSum(samples, 'weir_commands_total', { command, outcome });

/** Scrapes until `accept` holds: the visibility gauge lags by its cache and the store's own delay. */
const scrapeUntil = (accept: (samples: Sample[]) => boolean) => eventually(() => scrape(weir.url), accept, 30_000, 250);

test('the API counts pipelines by status, commands by outcome and the time spent in each transient status', async () => {
  const id = newId();
  const before = await scrape(weir.url);

  expect((await weir.request('POST', '/api/v1/pipeline', sleeperPipeline(id))).status).toBe(201);
  await weir.healthReaches(id, 'Running');
  await scrapeUntil(
    (samples) =>
      stays(samples, 'Created', 'Running') === stays(before, 'Created', 'Running') + 1 &&
      sampleSum(samples, 'weir_pipelines', { status: 'Running' }) >= 1,
  );

  // Refused, and unknown: counted by outcome.
  expect((await weir.request('DELETE', pipelinePath(id))).status).toBe(409);
  expect((await weir.request('POST', `${pipelinePath('no-such-pipeline')}/stop`)).status).toBe(404);

  // Without ?wait the API follows the pipeline after the command until it settles.
  expect((await weir.request('POST', `${pipelinePath(id)}/stop`)).status).toBe(204);
  await weir.healthReaches(id, 'Stopped');
  expect((await weir.request('POST', `${pipelinePath(id)}/stop`)).headers.get('weir-command-outcome')).toBe('noop');
  expect((await weir.request('POST', `${pipelinePath(id)}/resume?wait=30`)).body.overall_status).toBe('Running');
  expect((await weir.request('POST', `${pipelinePath(id)}/terminate?wait=30`)).body.overall_status).toBe('Stopped');
  expect((await weir.request('DELETE', pipelinePath(id))).status).toBe(204);

  const after = await scrapeUntil((samples) => stays(samples, 'Deleting', 'gone') === stays(before, 'Deleting', 'gone') + 1);
  const moved = (read: (samples: Sample[]) => number) => read(after) - read(before);
  expect({
    createdToRunning: moved((s) => stays(s, 'Created', 'Running')),
    stoppingToStopped: moved((s) => stays(s, 'Stopping', 'Stopped')),
    resumingToRunning: moved((s) => stays(s, 'Resuming', 'Running')),
    terminatingToStopped: moved((s) => stays(s, 'Terminating', 'Stopped')),
    deletingToGone: moved((s) => stays(s, 'Deleting', 'gone')),
  }).toEqual({ createdToRunning: 1, stoppingToStopped: 1, resumingToRunning: 1, terminatingToStopped: 1, deletingToGone: 1 });
  // A stay in Created lasts as long as the deploy and the readiness wait.
  expect(moved((s) => sampleSum(s, 'weir_transient_status_duration_seconds_sum', { status: 'Created', next: 'Running' }))).toBeGreaterThan(
    0,
  );

  expect({
    stopAccepted: moved((s) => commands(s, 'stop', 'accepted')),
    stopNoop: moved((s) => commands(s, 'stop', 'noop')),
    stopNotFound: moved((s) => commands(s, 'stop', 'not_found')),
    deleteRefused: moved((s) => commands(s, 'delete', 'refused')),
    deleteAccepted: moved((s) => commands(s, 'delete', 'accepted')),
    resumeAccepted: moved((s) => commands(s, 'resume', 'accepted')),
    terminateAccepted: moved((s) => commands(s, 'terminate', 'accepted')),
  }).toEqual({
    stopAccepted: 1,
    stopNoop: 1,
    stopNotFound: 1,
    deleteRefused: 1,
    deleteAccepted: 1,
    resumeAccepted: 1,
    terminateAccepted: 1,
  });
  expect(moved((s) => sampleSum(s, 'weir_command_duration_seconds_count', { command: 'stop' }))).toBe(3);
  expect(moved((s) => sampleSum(s, 'weir_api_temporal_calls_total', { operation: 'update' }))).toBeGreaterThanOrEqual(6);
  expect(sampleSum(after, 'process_cpu_seconds_total')).toBeGreaterThan(0);
});

test('during a drain, the pending messages of each component show in the metrics and in the event stream', async () => {
  const id = newId();
  const messages = 2000;
  const created = weir.request('POST', '/api/v1/pipeline', {
    pipeline_id: id,
    name: `Drain ${id}`,
    components: threeStageComponents(messages),
  });
  const release = await holdConsumer(natsUrl(), id, 'raw', 'transform');
  expect((await created).status).toBe(201);
  await weir.healthReaches(id, 'Running');
  await eventually(
    () => streamFacts(natsUrl(), id, 'raw'),
    (facts) => facts.accepted === messages,
    120_000,
    50,
  );
  const stream = await EventStreamClient.open(weir.url, `${pipelinePath(id)}/events`);
  try {
    await drainObserved(id, messages, stream, release);
  } finally {
    stream.close();
  }
  expect((await weir.request('DELETE', pipelinePath(id))).status).toBe(204);
});

async function drainObserved(id: string, messages: number, stream: EventStreamClient, release: () => Promise<void>) {
  expect((await stream.next(1, 'status'))[0].data.overall_status).toBe('Running');
  expect((await weir.request('POST', `${pipelinePath(id)}/stop`)).status).toBe(204);
  await scrapeUntil(
    (samples) =>
      sampleSum(samples, 'weir_drain_unfinished_messages', { pipeline_id: id, component: 'transform' }) === messages &&
      sampleSum(samples, 'weir_pipelines', { status: 'Stopping' }) >= 1,
  );
  const [drain] = await stream.nextMatching(1, (event) => event.event === 'drain' && event.data.unfinished.transform === messages);
  expect(drain.data).toMatchObject({ pipeline_id: id, stopped: ['source'] });

  await release();
  await weir.healthReaches(id, 'Stopped', 120_000);
  expect((await stream.next(2, 'transition')).map((event) => event.data.to)).toEqual(['Stopping', 'Stopped']);
  // The drain reported progress as the transform caught up.
  expect(stream.events.filter((event) => event.event === 'drain').length).toBeGreaterThan(1);
  await scrapeUntil(
    (samples) => !samples.some((sample) => sample.name === 'weir_drain_unfinished_messages' && sample.labels.pipeline_id === id),
  );
}

describe('with a token', () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi(loadConfig({ ...process.env, WEIR_API_PORT: '0', WEIR_API_TOKEN: TOKEN }), pino({ level: 'silent' }));
  });

  afterAll(async () => {
    await api.close();
  });

  test('the API metrics need it, as every route but the probes', async () => {
    expect((await fetch(`${api.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${api.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const samples = await scrape(api.url, { authorization: `Bearer ${TOKEN}` });
    expect(samples.some((sample) => sample.name === 'weir_pipelines')).toBe(true);
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  });
});

describe('the worker', () => {
  let worker: ChildProcess;
  let metricsUrl: string;

  beforeAll(async () => {
    const port = await findFreePort();
    metricsUrl = `http://127.0.0.1:${port}`;
    worker = await startWorkerProcess({ WEIR_WORKER_METRICS_PORT: String(port), WEIR_API_TOKEN: TOKEN });
    // Only the worker process takes tasks from here on.
    await weir.stopWorker();
  });

  afterAll(async () => {
    worker?.kill('SIGKILL');
    await weir.startWorker();
  });

  test("serves the Temporal SDK's metrics and Weir's activity outcomes behind the token", async () => {
    const id = newId();
    const failing = newId();
    expect((await weir.request('POST', '/api/v1/pipeline', sleeperPipeline(id))).status).toBe(201);
    expect(
      (
        await weir.request('POST', '/api/v1/pipeline', {
          pipeline_id: failing,
          name: `Failing ${failing}`,
          components: [{ name: 'crasher', image: 'busybox:latest', command: ['sh', '-c', 'exit 3'] }],
        })
      ).status,
    ).toBe(201);
    await weir.healthReaches(id, 'Running');
    await weir.healthReaches(failing, 'Failed');

    expect((await fetch(`${metricsUrl}/metrics`)).status).toBe(401);
    expect((await rawRequest(metricsUrl, 'GET', '/metrics', { host: 'evil.example.com', authorization: `Bearer ${TOKEN}` })).status).toBe(
      403,
    );
    const samples = await scrape(metricsUrl, { authorization: `Bearer ${TOKEN}` });
    const names = new Set(samples.map((sample) => sample.name));
    expect([...names].some((name) => name.startsWith('temporal_workflow_task'))).toBe(true);
    expect([...names].some((name) => name.startsWith('temporal_activity_execution'))).toBe(true);
    expect(sampleSum(samples, 'weir_activity_outcomes_total', { activity: 'deployPipeline', outcome: 'completed' })).toBeGreaterThanOrEqual(
      2,
    );
    // A component that exits at once fails its readiness wait, or, if it was seen running first, the watch after it.
    const failedIn = (name: string, labels: Record<string, string>) =>
      sampleSum(samples, name, { ...labels, activity: 'waitForPipelineReady' }) +
      sampleSum(samples, name, { ...labels, activity: 'watchPipeline' });
    expect(failedIn('weir_activity_outcomes_total', { outcome: 'failed' })).toBeGreaterThanOrEqual(1);
    expect(failedIn('weir_component_failures_total', { reason: 'ComponentExited' })).toBeGreaterThanOrEqual(1);

    for (const pipeline of [id, failing]) {
      expect((await weir.request('POST', `${pipelinePath(pipeline)}/terminate?wait=30`)).body.overall_status).toBe('Stopped');
      expect((await weir.request('DELETE', pipelinePath(pipeline))).status).toBe(204);
    }
    const afterwards = await scrape(metricsUrl, { authorization: `Bearer ${TOKEN}` });
    expect(
      sampleSum(afterwards, 'weir_activity_outcomes_total', { activity: 'removePipeline', outcome: 'completed' }),
    ).toBeGreaterThanOrEqual(2);
  });
});
