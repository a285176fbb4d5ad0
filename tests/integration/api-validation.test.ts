import pino from 'pino';
import { startApi, type RunningApi } from '../../api/start-api';
import { loadConfig } from '../../config';
import { eventually } from '../../harness/eventually';
import { useWeirSystem } from '../support/use-weir-system';
import { newPipelineId } from '../support/test-ids';

const weir = useWeirSystem();

const validBody = (pipelineId: string) => ({
  pipeline_id: pipelineId,
  name: 'Valid',
  components: [{ name: 'ingestor', image: 'busybox:latest', command: ['sleep', '3600'] }],
});

describe('bad input gets the documented error and changes nothing', () => {
  const id = newPipelineId('val');

  test.each([
    ['malformed JSON', '{"pipeline_id": "x",', 'MALFORMED_JSON', undefined],
    [
      'a wrong type',
      { ...validBody(id), components: [{ name: 'a', image: 'busybox:latest', replicas: 'two' }] },
      'VALIDATION_FAILED',
      'components.0.replicas',
    ],
    [
      'too many replicas',
      { ...validBody(id), components: [{ name: 'a', image: 'busybox:latest', replicas: 11 }] },
      'VALIDATION_FAILED',
      'components.0.replicas',
    ],
    ['an unknown top-level field', { ...validBody(id), owner: 'me' }, 'VALIDATION_FAILED', 'body'],
    [
      'a privileged component',
      { ...validBody(id), components: [{ name: 'a', image: 'busybox:latest', privileged: true }] },
      'VALIDATION_FAILED',
      'components.0',
    ],
    [
      'a host mount',
      { ...validBody(id), components: [{ name: 'a', image: 'busybox:latest', volumes: ['/:/host'] }] },
      'VALIDATION_FAILED',
      'components.0',
    ],
    ['an id that breaks the pattern', { ...validBody(id), pipeline_id: 'Bad_ID' }, 'VALIDATION_FAILED', 'pipeline_id'],
    ['an id ending in a dash', { ...validBody(id), pipeline_id: 'bad-' }, 'VALIDATION_FAILED', 'pipeline_id'],
    ['an empty name', { ...validBody(id), name: '' }, 'VALIDATION_FAILED', 'name'],
    ['no components', { ...validBody(id), components: [] }, 'VALIDATION_FAILED', 'components'],
    [
      'duplicate component names',
      {
        ...validBody(id),
        components: [
          { name: 'a', image: 'busybox:latest' },
          { name: 'a', image: 'busybox:latest' },
        ],
      },
      'VALIDATION_FAILED',
      'components.1.name',
    ],
    ['an array body', [], 'VALIDATION_FAILED', 'body'],
    [
      'an input that no component outputs',
      {
        ...validBody(id),
        components: [
          { name: 'src', image: 'busybox:latest', output: 'raw' },
          { name: 'sink', image: 'busybox:latest', input: 'raw' },
          { name: 'typo', image: 'busybox:latest', input: 'rwa' },
        ],
      },
      'VALIDATION_FAILED',
      'components.2.input',
    ],
    [
      'an output that no component reads',
      {
        ...validBody(id),
        components: [
          { name: 'src', image: 'busybox:latest', output: 'raw' },
          { name: 'sink', image: 'busybox:latest', input: 'raw', output: 'unread' },
        ],
      },
      'VALIDATION_FAILED',
      'components.1.output',
    ],
    [
      'streams that form a cycle',
      {
        ...validBody(id),
        components: [
          { name: 'src', image: 'busybox:latest', output: 'raw' },
          { name: 'a', image: 'busybox:latest', input: 'raw', output: 'loop' },
          { name: 'b', image: 'busybox:latest', input: 'loop', output: 'raw' },
        ],
      },
      'VALIDATION_FAILED',
      'components',
    ],
    [
      'a pipeline with no source',
      {
        ...validBody(id),
        components: [
          { name: 'a', image: 'busybox:latest', input: 'x', output: 'y' },
          { name: 'b', image: 'busybox:latest', input: 'y', output: 'x' },
        ],
      },
      'VALIDATION_FAILED',
      'components',
    ],
    [
      'a secret name that could leave the secrets directory',
      { ...validBody(id), components: [{ name: 'a', image: 'busybox:latest', secret_env: { DB_PASSWORD: '../passwd' } }] },
      'VALIDATION_FAILED',
      'components.0.secret_env.DB_PASSWORD',
    ],
    [
      'a variable set both in env and in secret_env',
      {
        ...validBody(id),
        components: [{ name: 'a', image: 'busybox:latest', env: { DB_PASSWORD: 'x' }, secret_env: { DB_PASSWORD: 'db-password' } }],
      },
      'VALIDATION_FAILED',
      'components.0.secret_env.DB_PASSWORD',
    ],
    [
      'a secret for a variable Weir sets',
      { ...validBody(id), components: [{ name: 'a', image: 'busybox:latest', secret_env: { NATS_URL: 'nats-url' } }] },
      'VALIDATION_FAILED',
      'components.0.secret_env.NATS_URL',
    ],
    // A JSON text, since an object literal would take __proto__ as its prototype rather than as a key.
    [
      'an env key __proto__',
      `{"pipeline_id":"${id}","name":"x","components":[{"name":"a","image":"busybox:latest","env":{"__proto__":"x"}}]}`,
      'VALIDATION_FAILED',
      'components.0.env.__proto__',
    ],
    [
      'a secret_env key __proto__',
      `{"pipeline_id":"${id}","name":"x","components":[{"name":"a","image":"busybox:latest","secret_env":{"__proto__":"db"}}]}`,
      'VALIDATION_FAILED',
      'components.0.secret_env.__proto__',
    ],
    [
      'an env value with NUL',
      { ...validBody(id), components: [{ name: 'a', image: 'busybox:latest', env: { MODE: 'a\u0000b' } }] },
      'VALIDATION_FAILED',
      'components.0.env.MODE',
    ],
    [
      'a command with NUL',
      { ...validBody(id), components: [{ name: 'a', image: 'busybox:latest', command: ['sleep', '1\u00002'] }] },
      'VALIDATION_FAILED',
      'components.0.command.1',
    ],
    [
      'a stream name that breaks the pattern',
      { ...validBody(id), components: [{ name: 'a', image: 'busybox:latest', output: 'Raw.Events' }] },
      'VALIDATION_FAILED',
      'components.0.output',
    ],
  ])('%s', async (_, body, code, field) => {
    const answer = await weir.request('POST', '/api/v1/pipeline', body);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe(code);
    expect(answer.body.message).toEqual(expect.any(String));
    if (field) expect(Object.keys(answer.body.details.fields)).toContain(field);
    expect((await weir.request('GET', `/api/v1/pipeline/${id}`)).status).toBe(404);
  });

  test.each([
    '../../etc/passwd',
    'busybox/../../../v1.40/containers/json',
    '../../127.0.0.1:9999/probe',
    'busybox$(id)',
    'BUSYBOX:LATEST',
    '-v',
    'busybox:latest#frag',
    'busybox:latest ',
  ])('the image %j is refused, naming the field', async (image) => {
    const answer = await weir.request('POST', '/api/v1/pipeline', { ...validBody(id), components: [{ name: 'a', image }] });
    expect([answer.status, answer.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(answer.body.details.fields['components.0.image']).toMatch(/^must be a Docker image reference/);
    expect((await weir.request('GET', `/api/v1/pipeline/${id}`)).status).toBe(404);
  });

  test('a body over 1 MiB is refused with 413', async () => {
    const body = { ...validBody(id), components: [{ name: 'a', image: 'busybox:latest', env: { BIG: 'x'.repeat(1024 * 1024) } }] };
    const answer = await weir.request('POST', '/api/v1/pipeline', body);
    expect([answer.status, answer.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect((await weir.request('GET', `/api/v1/pipeline/${id}`)).status).toBe(404);
  });

  test.each([
    ['GET', '/api/v1/pipeline/nobody-here'],
    ['GET', '/api/v1/pipeline/nobody-here/health'],
    ['GET', '/api/v1/pipeline/nobody-here/history'],
    ['POST', '/api/v1/pipeline/nobody-here/stop'],
    ['POST', '/api/v1/pipeline/nobody-here/terminate'],
    ['POST', '/api/v1/pipeline/nobody-here/resume'],
    ['DELETE', '/api/v1/pipeline/nobody-here'],
  ])('%s %s on an unknown pipeline is 404', async (method, path) => {
    const answer = await weir.request(method, path);
    expect([answer.status, answer.body]).toEqual([404, { code: 'NOT_FOUND', message: 'pipeline nobody-here not found' }]);
  });

  test('an invalid id in the path is 400 naming it', async () => {
    const answer = await weir.request('POST', '/api/v1/pipeline/NOT_VALID/stop');
    expect([answer.status, answer.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(answer.body.message).toContain('must match');
  });

  test('an unknown status filter is 400', async () => {
    const answer = await weir.request('GET', '/api/v1/pipeline?status=Sleeping');
    expect([answer.status, answer.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(Object.keys(answer.body.details.fields)).toEqual(['status']);
  });

  test('an unknown route is a JSON 404 and the API is still alive afterwards', async () => {
    expect((await weir.request('GET', '/api/v2/whatever')).body.code).toBe('NOT_FOUND');
    expect((await weir.request('GET', '/healthz')).status).toBe(200);
  });
});

test('a generated id is used when none is given', async () => {
  const answer = await weir.request('POST', '/api/v1/pipeline', {
    name: 'Anonymous',
    components: [{ name: 'a', image: 'busybox:latest', command: ['sleep', '3600'] }],
  });
  expect(answer.status).toBe(201);
  const id: string = answer.body.pipeline_id;
  expect(id).toMatch(/^p-[0-9a-f]{20}$/);
  await weir.request('POST', `/api/v1/pipeline/${id}/terminate`);
  await eventually(
    () => weir.request('GET', `/api/v1/pipeline/${id}/health`),
    (health) => health.body?.overall_status === 'Stopped',
  );
  expect((await weir.request('DELETE', `/api/v1/pipeline/${id}`)).status).toBe(204);
});

test('readyz reports Temporal reachable; the OpenAPI document describes every route', async () => {
  expect(await weir.request('GET', '/readyz')).toMatchObject({
    status: 200,
    body: { status: 'ready', temporal: 'reachable', nats: 'reachable' },
  });
  const document = (await weir.request('GET', '/api/v1/openapi.json')).body;
  expect(document.openapi).toBe('3.0.3');
  expect(Object.keys(document.paths).sort()).toEqual([
    '/api/v1/pipeline',
    '/api/v1/pipeline/{id}',
    '/api/v1/pipeline/{id}/components/{name}',
    '/api/v1/pipeline/{id}/components/{name}/logs',
    '/api/v1/pipeline/{id}/events',
    '/api/v1/pipeline/{id}/health',
    '/api/v1/pipeline/{id}/history',
    '/api/v1/pipeline/{id}/resume',
    '/api/v1/pipeline/{id}/rollback',
    '/api/v1/pipeline/{id}/stop',
    '/api/v1/pipeline/{id}/terminate',
  ]);
  expect(document.components.schemas.ComponentSpec.additionalProperties).toBe(false);
});

describe('a standalone API', () => {
  let api: RunningApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  const start = async (env: Record<string, string>) => {
    api = await startApi(
      loadConfig({ ...process.env, WEIR_API_PORT: '0', WEIR_UPDATE_TIMEOUT_MS: '2000', ...env }),
      pino({ level: 'silent' }),
    );
    return api.url;
  };

  test('with a token, every /api route needs it and the probes stay open', async () => {
    const url = await start({ WEIR_API_TOKEN: 'correct-horse-battery-staple' });
    expect((await fetch(`${url}/api/v1/pipeline`)).status).toBe(401);
    expect((await fetch(`${url}/api/v1/pipeline`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    const denied = await fetch(`${url}/api/v1/pipeline/x/stop`, { method: 'POST' });
    expect(await denied.json()).toEqual({ code: 'UNAUTHORIZED', message: 'a valid bearer token is required' });
    expect((await fetch(`${url}/api/v1/pipeline`, { headers: { authorization: 'Bearer correct-horse-battery-staple' } })).status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  test('with Temporal and NATS unreachable, readyz says so and commands answer 503', async () => {
    const url = await start({ TEMPORAL_ADDRESS: '127.0.0.1:1', NATS_URL: 'nats://127.0.0.1:1' });
    const ready = await fetch(`${url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([503, { status: 'unavailable', temporal: 'unreachable', nats: 'unreachable' }]);
    const health = await fetch(`${url}/api/v1/pipeline/anything/health`);
    expect([health.status, ((await health.json()) as { code: string }).code]).toEqual([503, 'UNAVAILABLE']);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
