import type { Server } from 'node:http';
import pino from 'pino';
import { ApiError } from '../../api/api-error';
import type { ComponentLogSource } from '../../api/component-logs';
import { createApp } from '../../api/create-app';
import { ApiMetrics } from '../../api/metrics';
import type { WatchSource } from '../../api/pipeline-watcher';
import { PipelineWatchers } from '../../api/pipeline-watchers';
import type { EditAnswer, EditTarget, PipelinePage, PipelineRecord, Pipelines } from '../../api/pipeline-gateway';
import type { ComponentScale } from '../../pipeline/component-scale';
import type { PipelineSpec } from '../../pipeline/pipeline-spec';
import { SecretDirectory } from '../../secret-directory';
import type { Command } from '../../pipeline/status-machine';

/** Records what the routes asked and answers from a table: the routes are tested, not Temporal. */
class FakePipelines implements Pipelines {
  readonly records = new Map<string, PipelineRecord>();
  readonly calls: string[] = [];
  refusal?: ApiError;
  /** How many times a route read a pipeline, as describe would. */
  reads = 0;
  /** What a command waiting to settle is answered: the record it settled with, or no answer at all. */
  settledAs?: PipelineRecord | 'no answer';

  async create(spec: PipelineSpec, requestId: string): Promise<PipelineRecord> {
    this.calls.push(`create ${spec.pipeline_id} ${requestId}`);
    const record: PipelineRecord = {
      pipeline_id: spec.pipeline_id,
      overall_status: 'Created',
      pipeline_name: spec.name,
      created_at: '2026-01-15T10:00:00.000Z',
      updated_at: '2026-01-15T10:00:00.000Z',
      failure: null,
      spec,
      spec_revision: 1,
    };
    this.records.set(spec.pipeline_id, record);
    return record;
  }

  async get(pipelineId: string): Promise<PipelineRecord> {
    this.reads++;
    const record = this.records.get(pipelineId);
    if (!record) throw ApiError.notFound(pipelineId);
    return record;
  }

  async revision(pipelineId: string, revision: number): Promise<PipelineRecord> {
    this.calls.push(`revision ${pipelineId} ${revision}`);
    return { ...(await this.get(pipelineId)), spec_revision: revision };
  }

  async edit(pipelineId: string, target: EditTarget, requestId: string): Promise<EditAnswer> {
    this.calls.push(
      `edit ${pipelineId} ${'spec' in target ? `spec ${target.spec.pipeline_id}` : `rollback ${target.rollback_to}`} ${requestId}`,
    );
    if (this.refusal) throw this.refusal;
    const record = await this.get(pipelineId);
    const edited = { ...record, spec: 'spec' in target ? target.spec : record.spec, spec_revision: record.spec_revision + 1 };
    this.records.set(pipelineId, edited);
    return { outcome: 'accepted', record: edited };
  }

  async scale(pipelineId: string, { component, replicas }: ComponentScale, requestId: string): Promise<EditAnswer> {
    this.calls.push(`scale ${pipelineId} ${component} ${replicas} ${requestId}`);
    if (this.refusal) throw this.refusal;
    const record = await this.get(pipelineId);
    const components = record.spec.components.map((candidate) => (candidate.name === component ? { ...candidate, replicas } : candidate));
    const scaled = { ...record, spec: { ...record.spec, components }, spec_revision: record.spec_revision + 1 };
    this.records.set(pipelineId, scaled);
    return { outcome: 'accepted', record: scaled };
  }

  async list(status: string | undefined, limit: number, pageToken?: string): Promise<PipelinePage> {
    this.calls.push(`list ${status ?? '*'} ${limit} ${pageToken ?? '-'}`);
    return { records: [...this.records.values()].slice(0, limit), nextPageToken: pageToken ? undefined : 'next-page' };
  }

  async view(pipelineId: string) {
    const record = await this.get(pipelineId);
    return { ...record, transitions: [] };
  }

  async command(pipelineId: string, command: Command, requestId: string) {
    this.calls.push(`${command} ${pipelineId} ${requestId}`);
    if (this.refusal) throw this.refusal;
    return { outcome: 'accepted' as const, status: (await this.get(pipelineId)).overall_status };
  }

  async commandUntilSettled(pipelineId: string, command: Command, requestId: string, settleWithinMs: number, accepted: () => void) {
    this.calls.push(`${command} ${pipelineId} ${requestId} within ${settleWithinMs} ms`);
    if (this.refusal) throw this.refusal;
    if (!this.records.has(pipelineId)) throw ApiError.notFound(pipelineId);
    accepted();
    if (this.settledAs === 'no answer') return undefined;
    const record = this.settledAs ?? this.records.get(pipelineId)!;
    return { outcome: 'accepted' as const, status: record.overall_status, record };
  }

  async deleteWithin(pipelineId: string, requestId: string) {
    return this.command(pipelineId, 'delete', requestId);
  }

  async isTemporalReachable(): Promise<boolean> {
    return true;
  }
}

/** What the API's watchers ask: here nothing ever changes, so a long poll waits until it is called off. */
const stillSource: WatchSource = {
  queryView: (pipelineId) => pipelines.view(pipelineId),
  get: (pipelineId) => pipelines.get(pipelineId),
  historyEvents: (_pipelineId, _position, signal) =>
    new Promise((resolve) => signal?.addEventListener('abort', () => resolve({ events: [] }), { once: true })),
};

/** The routes under test read no logs; the logs route is tested against Docker. */
const noLogs: ComponentLogSource = {
  tail: async () => [],
  follow: async () => ({ ended: Promise.resolve() }),
};

let pipelines: FakePipelines;
let watchers: PipelineWatchers;
let server: Server;
let url: string;

beforeEach(async () => {
  pipelines = new FakePipelines();
  const metrics = new ApiMetrics();
  watchers = new PipelineWatchers(stillSource, metrics);
  const app = createApp({
    gateway: pipelines,
    watchers,
    metrics,
    logger: pino({ level: 'silent' }),
    allowedOrigins: [],
    bindHost: '127.0.0.1',
    allowedHosts: [],
    natsReachable: async () => true,
    logs: { source: noLogs, secrets: new SecretDirectory(undefined) },
    temporalUi: { url: 'http://127.0.0.1:8233', namespace: 'default' },
  });
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterEach(async () => {
  watchers.close();
  await new Promise((resolve) => server.close(resolve));
});

const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
};

const spec = { pipeline_id: 'orders-etl', name: 'Orders ETL', components: [{ name: 'ingestor', image: 'busybox:latest' }] };

test('create answers 201 with the pipeline view, replicas defaulted, and the request id it used', async () => {
  const answer = await send('POST', '/api/v1/pipeline', spec, { 'x-request-id': 'req-1' });
  expect(answer.status).toBe(201);
  expect(answer.body).toEqual({
    pipeline_id: 'orders-etl',
    pipeline_name: 'Orders ETL',
    overall_status: 'Created',
    created_at: '2026-01-15T10:00:00.000Z',
    updated_at: '2026-01-15T10:00:00.000Z',
    failure: null,
    spec_revision: 1,
    name: 'Orders ETL',
    components: [{ name: 'ingestor', image: 'busybox:latest', replicas: 1 }],
  });
  expect(answer.headers.get('x-request-id')).toBe('req-1');
  expect(pipelines.calls).toEqual(['create orders-etl req-1']);
});

test('a create without an id under a request id names the pipeline after the request id, the same every time', async () => {
  const { pipeline_id: _, ...anonymous } = spec;
  const first = await send('POST', '/api/v1/pipeline', anonymous, { 'x-request-id': 'same' });
  const second = await send('POST', '/api/v1/pipeline', anonymous, { 'x-request-id': 'same' });
  expect(first.body.pipeline_id).toMatch(/^p-[0-9a-f]{20}$/);
  expect(second.body.pipeline_id).toBe(first.body.pipeline_id);
});

test('an invalid body reaches no gateway call and names every field', async () => {
  const answer = await send('POST', '/api/v1/pipeline', { name: '', components: [{ name: 'A', image: '-v' }] });
  expect([answer.status, answer.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  expect(Object.keys(answer.body.details.fields).sort()).toEqual(['components.0.image', 'components.0.name', 'name']);
  expect(pipelines.calls).toEqual([]);
});

test('min_ready_seconds is kept as given from 0 to 3600 and refused outside that or when not whole', async () => {
  const withMinReady = (value: unknown) => ({ ...spec, components: [{ ...spec.components[0], min_ready_seconds: value }] });
  const kept = await send('POST', '/api/v1/pipeline', withMinReady(3600));
  expect(kept.status).toBe(201);
  expect(kept.body.components).toEqual([{ name: 'ingestor', image: 'busybox:latest', replicas: 1, min_ready_seconds: 3600 }]);
  for (const refused of [-1, 3601, 1.5, '5']) {
    const answer = await send('POST', '/api/v1/pipeline', withMinReady(refused));
    expect([answer.status, Object.keys(answer.body.details.fields)]).toEqual([400, ['components.0.min_ready_seconds']]);
  }
  expect(pipelines.calls).toEqual([expect.stringMatching(/^create orders-etl /)]);
});

test('list passes status, limit and token through and returns the next token in a header', async () => {
  await send('POST', '/api/v1/pipeline', spec);
  const first = await send('GET', '/api/v1/pipeline?status=Created&limit=5');
  expect(first.body).toEqual([expect.objectContaining({ pipeline_id: 'orders-etl', overall_status: 'Created' })]);
  expect(Object.keys(first.body[0]).sort()).toEqual(['created_at', 'overall_status', 'pipeline_id', 'pipeline_name', 'updated_at']);
  expect(first.headers.get('weir-next-page-token')).toBe('next-page');
  const last = await send('GET', '/api/v1/pipeline?page_token=next-page');
  expect(last.headers.get('weir-next-page-token')).toBeNull();
  expect(pipelines.calls.slice(-2)).toEqual(['list Created 5 -', 'list * 100 next-page']);
});

test.each([
  ['POST', '/api/v1/pipeline/orders-etl/stop', 'stop'],
  ['POST', '/api/v1/pipeline/orders-etl/terminate', 'terminate'],
  ['POST', '/api/v1/pipeline/orders-etl/resume', 'resume'],
  ['DELETE', '/api/v1/pipeline/orders-etl', 'delete'],
] as const)('%s %s sends %s with the request id and answers 204 with the outcome', async (method, path, command) => {
  await send('POST', '/api/v1/pipeline', spec);
  const answer = await send(method, path, undefined, { 'x-request-id': 'cmd-1' });
  expect([answer.status, answer.headers.get('weir-command-outcome'), answer.headers.get('x-request-id')]).toEqual([
    204,
    'accepted',
    'cmd-1',
  ]);
  expect(pipelines.calls).toContain(`${command} orders-etl cmd-1`);
});

test('a refusal keeps its 409 details; an unknown pipeline is 404; a bad path id is 400 before any call', async () => {
  await send('POST', '/api/v1/pipeline', spec);
  pipelines.refusal = new ApiError('INVALID_TRANSITION', 'cannot resume a pipeline that is Stopping', {
    current_status: 'Stopping',
    allowed_actions: ['terminate'],
  });
  const refused = await send('POST', '/api/v1/pipeline/orders-etl/resume');
  expect([refused.status, refused.body]).toEqual([
    409,
    {
      code: 'INVALID_TRANSITION',
      message: 'cannot resume a pipeline that is Stopping',
      details: { current_status: 'Stopping', allowed_actions: ['terminate'] },
    },
  ]);
  expect((await send('GET', '/api/v1/pipeline/nobody/health')).status).toBe(404);
  const calls = pipelines.calls.length;
  expect((await send('POST', '/api/v1/pipeline/Not_An_Id/stop')).status).toBe(400);
  expect(pipelines.calls).toHaveLength(calls);
});

test('health shows every component of the spec, unknown until a worker reports', async () => {
  await send('POST', '/api/v1/pipeline', spec);
  const health = await send('GET', '/api/v1/pipeline/orders-etl/health');
  expect(health.body).toMatchObject({
    overall_status: 'Created',
    observed_at: null,
    components: [{ name: 'ingestor', desired_replicas: 1, ready_replicas: 0, state: 'unknown', message: null, unfinished_messages: null }],
  });
});

test('an unexpected error is a 500 without its message or stack', async () => {
  pipelines.get = async () => {
    throw new Error('secret internals at /srv/weir/index.ts:12');
  };
  const answer = await send('GET', '/api/v1/pipeline/orders-etl');
  expect([answer.status, answer.body]).toEqual([500, { code: 'INTERNAL', message: 'internal error' }]);
});

test('an edit sends the whole spec under the path id and answers 200 with the new revision and the outcome', async () => {
  await send('POST', '/api/v1/pipeline', spec);
  const { pipeline_id: _, ...withoutId } = spec;
  const answer = await send('PUT', '/api/v1/pipeline/orders-etl', { ...withoutId, name: 'Orders ETL v2' }, { 'x-request-id': 'edit-1' });
  expect([answer.status, answer.headers.get('weir-command-outcome'), answer.headers.get('x-request-id')]).toEqual([
    200,
    'accepted',
    'edit-1',
  ]);
  expect(answer.body).toMatchObject({ pipeline_id: 'orders-etl', name: 'Orders ETL v2', spec_revision: 2, components: [{ replicas: 1 }] });
  expect(pipelines.calls).toContain('edit orders-etl spec orders-etl edit-1');
});

test('an edit naming another pipeline, or with a body create would refuse, reaches no gateway call', async () => {
  await send('POST', '/api/v1/pipeline', spec);
  const calls = pipelines.calls.length;
  const foreign = await send('PUT', '/api/v1/pipeline/orders-etl', { ...spec, pipeline_id: 'other' });
  expect([foreign.status, foreign.body.code, Object.keys(foreign.body.details.fields)]).toEqual([
    400,
    'VALIDATION_FAILED',
    ['pipeline_id'],
  ]);
  const broken = await send('PUT', '/api/v1/pipeline/orders-etl', {
    ...spec,
    components: [{ name: 'a', image: 'busybox:latest', input: 'nowhere' }],
  });
  expect([broken.status, Object.keys(broken.body.details.fields).sort()]).toEqual([400, ['components', 'components.0.input']]);
  expect(pipelines.calls).toHaveLength(calls);
});

test('a rollback and a read of a revision pass the revision through; a malformed one is 400', async () => {
  await send('POST', '/api/v1/pipeline', spec);
  const rolledBack = await send('POST', '/api/v1/pipeline/orders-etl/rollback?revision=1', undefined, { 'x-request-id': 'back-1' });
  expect([rolledBack.status, rolledBack.body.spec_revision]).toEqual([200, 2]);
  const read = await send('GET', '/api/v1/pipeline/orders-etl?revision=1');
  expect([read.status, read.body.spec_revision]).toEqual([200, 1]);
  expect(pipelines.calls.slice(-2)).toEqual(['edit orders-etl rollback 1 back-1', 'revision orders-etl 1']);
  for (const bad of ['0', '1.5', 'two', '']) {
    expect((await send('POST', `/api/v1/pipeline/orders-etl/rollback?revision=${bad}`)).status).toBe(400);
    expect((await send('GET', `/api/v1/pipeline/orders-etl?revision=${bad}`)).status).toBe(400);
  }
  expect((await send('POST', '/api/v1/pipeline/orders-etl/rollback')).status).toBe(400);
});

test('a scale passes the component and count through and answers 200 with the new revision and the outcome', async () => {
  await send('POST', '/api/v1/pipeline', spec);
  const name = spec.components[0].name;
  const answer = await send('PATCH', `/api/v1/pipeline/orders-etl/components/${name}`, { replicas: 3 }, { 'x-request-id': 'scale-1' });
  expect([
    answer.status,
    answer.headers.get('weir-command-outcome'),
    answer.body.spec_revision,
    answer.body.components[0].replicas,
  ]).toEqual([200, 'accepted', 2, 3]);
  expect(pipelines.calls).toContain(`scale orders-etl ${name} 3 scale-1`);
});

test('a scale with a count out of range, another field, no body or a malformed component name reaches no gateway call', async () => {
  await send('POST', '/api/v1/pipeline', spec);
  const calls = pipelines.calls.length;
  const path = `/api/v1/pipeline/orders-etl/components/${spec.components[0].name}`;
  for (const body of [{ replicas: 0 }, { replicas: 11 }, { replicas: 1.5 }, { replicas: '2' }, {}, { replicas: 2, image: 'x' }]) {
    const refused = await send('PATCH', path, body);
    expect([JSON.stringify(body), refused.status, refused.body.code]).toEqual([JSON.stringify(body), 400, 'VALIDATION_FAILED']);
  }
  expect((await send('PATCH', '/api/v1/pipeline/orders-etl/components/Not_A_Name', { replicas: 2 })).status).toBe(400);
  expect(pipelines.calls).toHaveLength(calls);
});

test('an edit refused for its streams answers 409 STREAMS_NOT_EMPTY naming each stream and its count', async () => {
  await send('POST', '/api/v1/pipeline', spec);
  pipelines.refusal = new ApiError('STREAMS_NOT_EMPTY', 'stream raw still holds 12 unconsumed messages', {
    streams: [{ stream: 'raw', messages: 12 }],
  });
  const refused = await send('PUT', '/api/v1/pipeline/orders-etl', spec);
  expect([refused.status, refused.body.code, refused.body.details]).toEqual([
    409,
    'STREAMS_NOT_EMPTY',
    { streams: [{ stream: 'raw', messages: 12 }] },
  ]);
});

test('?wait sends the command to settle within it and answers with the record it settled with, reading nothing more', async () => {
  await send('POST', '/api/v1/pipeline', spec);
  const created = await pipelines.get('orders-etl');
  pipelines.settledAs = { ...created, overall_status: 'Stopped' };
  pipelines.reads = 0;
  const stop = await send('POST', '/api/v1/pipeline/orders-etl/stop?wait=30', undefined, { 'x-request-id': 'stop-1' });
  expect([stop.status, stop.headers.get('weir-command-outcome'), stop.body.overall_status]).toEqual([200, 'accepted', 'Stopped']);
  expect(stop.body.components).toEqual([expect.objectContaining({ name: 'ingestor', state: 'stopped' })]);
  expect(pipelines.calls.at(-1)).toBe('stop orders-etl stop-1 within 30000 ms');
  expect(pipelines.reads).toBe(0);
});

test('?wait reads a Running pipeline for its components, and answers 202 with a read when no answer came', async () => {
  await send('POST', '/api/v1/pipeline', spec);
  const created = await pipelines.get('orders-etl');
  pipelines.settledAs = { ...created, overall_status: 'Running' };
  pipelines.reads = 0;
  const resume = await send('POST', '/api/v1/pipeline/orders-etl/resume?wait=5');
  expect([resume.status, resume.body.overall_status, pipelines.reads]).toEqual([200, 'Created', 1]);

  pipelines.settledAs = 'no answer';
  const stop = await send('POST', '/api/v1/pipeline/orders-etl/stop?wait=5');
  expect([stop.status, stop.headers.get('weir-command-outcome'), stop.body.overall_status]).toEqual([202, 'accepted', 'Created']);
});

test('?wait=0 sends the command as without a wait and answers with a read at once', async () => {
  await send('POST', '/api/v1/pipeline', spec);
  const stop = await send('POST', '/api/v1/pipeline/orders-etl/stop?wait=0', undefined, { 'x-request-id': 'stop-0' });
  expect([stop.status, stop.body.overall_status]).toEqual([202, 'Created']);
  expect(pipelines.calls.at(-1)).toBe('stop orders-etl stop-0');
});
