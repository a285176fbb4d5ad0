import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startApi, type RunningApi } from '../../api/start-api';
import { loadConfig, temporalNamespaceOf } from '../../config';
import { findFreePort } from '../../scripts/ports';
import { startTemporalDevServer, type RunningService } from '../../scripts/services';
import { STATUS_SEARCH_ATTRIBUTE, TASK_QUEUE, WORKFLOW_TYPE, workflowIdFor } from '../../pipeline/names';
import { eventually } from '../../harness/eventually';
import { WeirSystem } from '../../harness/weir-system';
import { newPipelineId } from '../support/test-ids';

const UPDATE_TIMEOUT_MS = 2000;
/** What a deadline may overrun by on a loaded two-core machine: the answer itself, not another retry. */
const DEADLINE_SLACK_MS = 1500;

describe('a pipeline whose workflow task keeps failing', () => {
  let weir: WeirSystem;
  const id = newPipelineId('broken');

  beforeAll(async () => {
    weir = await WeirSystem.start();
  });

  afterAll(async () => {
    await weir.client.workflow
      .getHandle(workflowIdFor(id))
      .terminate('test cleanup')
      .catch(() => undefined);
    await weir.close();
  });

  test('a command answers 503 UNAVAILABLE, retryable, not 500', async () => {
    // A run started without its input, as a mistyped `temporal workflow start` would: its first task throws.
    const handle = await weir.client.workflow.start(WORKFLOW_TYPE, { taskQueue: TASK_QUEUE, workflowId: workflowIdFor(id), args: [] });
    // Once the task has failed a few times, the server refuses updates outright instead of waiting for it.
    await eventually(
      async () => (await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0,
      (attempt) => attempt >= 3,
      60_000,
    );
    const answer = await weir.request('POST', `/api/v1/pipeline/${id}/stop`);
    expect([answer.status, answer.body.code]).toEqual([503, 'UNAVAILABLE']);
    expect(answer.body.message).toMatch(/stop of pipeline .* failed: the pipeline's workflow cannot take it now/);
  });
});

describe('with Temporal frozen, every request answers 503 within its deadline', () => {
  let workDir: string;
  let temporal: RunningService;
  let api: RunningApi;
  const id = newPipelineId('frozen');

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'weir-frozen-'));
    const cli = process.env.WEIR_TEMPORAL_CLI as string;
    temporal = await startTemporalDevServer({
      cli,
      port: await findFreePort(),
      namespace: temporalNamespaceOf(),
      searchAttributes: { [STATUS_SEARCH_ATTRIBUTE]: 'Keyword' },
      logFile: path.join(workDir, 'temporal.log'),
    });
    const config = loadConfig({
      ...process.env,
      TEMPORAL_ADDRESS: temporal.address,
      WEIR_API_PORT: '0',
      WEIR_UPDATE_TIMEOUT_MS: String(UPDATE_TIMEOUT_MS),
    });
    api = await startApi(config, pino({ level: 'silent' }));
    const body = { pipeline_id: id, name: 'Frozen', components: [{ name: 'a', image: 'busybox:latest' }] };
    const created = await fetch(`${api.url}/api/v1/pipeline`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(created.status).toBe(201);
    // SIGSTOP keeps the port open and the connection up, so calls hang instead of failing fast.
    process.kill(temporal.pid as number, 'SIGSTOP');
  });

  afterAll(async () => {
    process.kill(temporal.pid as number, 'SIGCONT');
    await api.close();
    await temporal.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  test.each([
    ['GET', `/api/v1/pipeline/${id}/health`, /^reading pipeline frozen-[\w-]+ timed out after 2 s$/],
    ['GET', '/api/v1/pipeline', /^listing pipelines timed out after 2 s$/],
    [
      'POST',
      `/api/v1/pipeline/${id}/stop`,
      /^waiting for a worker to accept the stop of pipeline frozen-[\w-]+ timed out after 2 s; retry with the same X-Request-Id$/,
    ],
  ])('%s %s', async (method, route, message) => {
    const started = performance.now();
    const answer = await fetch(`${api.url}${route}`, { method });
    const elapsedMs = performance.now() - started;
    const body = (await answer.json()) as { code: string; message: string };
    expect([answer.status, body.code]).toEqual([503, 'UNAVAILABLE']);
    expect(body.message).toMatch(message);
    expect(elapsedMs).toBeLessThan(UPDATE_TIMEOUT_MS + DEADLINE_SLACK_MS);
  });

  test('a create names what timed out', async () => {
    const body = { name: 'Frozen too', components: [{ name: 'a', image: 'busybox:latest' }] };
    const answer = await fetch(`${api.url}/api/v1/pipeline`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'frozen-create' },
      body: JSON.stringify(body),
    });
    const error = (await answer.json()) as { message: string };
    expect(answer.status).toBe(503);
    expect(error.message).toMatch(/^starting pipeline p-[0-9a-f]{20} timed out after 2 s; retry with the same X-Request-Id$/);
  });
});
