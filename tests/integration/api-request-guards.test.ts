import { eventually } from '../../harness/eventually';
import { rawRequest } from '../support/raw-http';
import { WeirSystem } from '../../harness/weir-system';
import { newPipelineId } from '../support/test-ids';

const TOKEN = 'correct-horse-battery-staple';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const JSON_TYPE = { 'content-type': 'application/json' };
const UI_ORIGIN = 'https://ui.example.test';

let weir: WeirSystem;
let stoppedId: string;

const spec = (pipelineId: string) => ({
  pipeline_id: pipelineId,
  name: `Guarded ${pipelineId}`,
  components: [{ name: 'ingestor', image: 'busybox:latest', command: ['sleep', '3600'] }],
});

const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
  rawRequest(weir.url, method, path, headers, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));

const statusOf = async (pipelineId: string) => (await call('GET', `/api/v1/pipeline/${pipelineId}/health`, AUTH)).body.overall_status;

beforeAll(async () => {
  weir = await WeirSystem.start({ env: { WEIR_API_TOKEN: TOKEN, WEIR_API_ALLOWED_ORIGINS: UI_ORIGIN } });
  stoppedId = newPipelineId('guard');
  expect((await call('POST', '/api/v1/pipeline', { ...AUTH, ...JSON_TYPE }, spec(stoppedId))).status).toBe(201);
  await eventually(
    () => statusOf(stoppedId),
    (status) => status === 'Running',
  );
  expect((await call('POST', `/api/v1/pipeline/${stoppedId}/terminate`, AUTH)).status).toBe(204);
  await eventually(
    () => statusOf(stoppedId),
    (status) => status === 'Stopped',
  );
});

afterAll(async () => {
  await call('DELETE', `/api/v1/pipeline/${stoppedId}`, AUTH);
  await weir.close();
});

describe('authentication holds for every spelling of a path', () => {
  test.each([
    '/Api/v1/pipeline/{id}',
    '/API/V1/PIPELINE/{id}',
    '//api/v1/pipeline/{id}',
    '/api//v1/pipeline/{id}',
    '/api/v1/pipeline/{id}/',
    '/./api/v1/pipeline/{id}',
    '/api/v1/./pipeline/{id}',
    '/api%2Fv1%2Fpipeline%2F{id}',
    '/%61pi/v1/pipeline/{id}',
    '/healthz/../api/v1/pipeline/{id}',
    '/readyz/%2E%2E/api/v1/pipeline/{id}',
  ])('DELETE %s without a token is 401 and deletes nothing', async (spelling) => {
    const answer = await call('DELETE', spelling.replace('{id}', stoppedId));
    expect([answer.status, answer.body.code]).toEqual([401, 'UNAUTHORIZED']);
    expect(answer.headers['www-authenticate']).toBe('Bearer');
    expect(await statusOf(stoppedId)).toBe('Stopped');
  });

  test('routes match case-sensitively: a mis-cased path is 404 even with the token', async () => {
    const answer = await call('GET', `/Api/v1/pipeline/${stoppedId}`, AUTH);
    expect([answer.status, answer.body.code]).toEqual([404, 'NOT_FOUND']);
    expect((await call('GET', `/api/v1/pipeline/${stoppedId}/`, AUTH)).status).toBe(404);
  });

  test('only /healthz and /readyz, spelled exactly, are open', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('GET', '/readyz')).status).toBe(200);
    for (const spelling of ['/HEALTHZ', '/healthz/', '/%68ealthz', '/api/v1/openapi.json', '/nowhere']) {
      expect([spelling, (await call('GET', spelling)).status]).toEqual([spelling, 401]);
    }
  });
});

describe('every error is JSON, unknown methods included', () => {
  test.each([
    ['PUT', '/api/v1/pipeline', 'GET, HEAD, POST'],
    ['PATCH', '/api/v1/pipeline/{id}', 'GET, HEAD, PUT, DELETE'],
    ['PROPFIND', '/api/v1/pipeline', 'GET, HEAD, POST'],
  ])('%s %s is 405 METHOD_NOT_ALLOWED with Allow', async (method, path, allow) => {
    const answer = await call(method, path.replace('{id}', stoppedId), AUTH);
    expect([answer.status, answer.body.code]).toEqual([405, 'METHOD_NOT_ALLOWED']);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect((answer.headers.allow ?? '').split(', ').sort()).toEqual(allow.split(', ').sort());
  });

  test('an unknown method on an unknown path is a JSON 404', async () => {
    const answer = await call('PROPFIND', '/nowhere', AUTH);
    expect([answer.status, answer.body.code]).toEqual([404, 'NOT_FOUND']);
  });
});

describe('request bodies must be JSON', () => {
  test.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['a multipart form', 'multipart/form-data; boundary=x'],
  ])('create with %s is 415 and creates nothing', async (_, type) => {
    const pipelineId = newPipelineId('media');
    const answer = await call('POST', '/api/v1/pipeline', { ...AUTH, 'content-type': type }, spec(pipelineId));
    expect([answer.status, answer.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect((await call('GET', `/api/v1/pipeline/${pipelineId}`, AUTH)).status).toBe(404);
  });

  test('create with a body but no content type is 415', async () => {
    const pipelineId = newPipelineId('untyped');
    const answer = await call('POST', '/api/v1/pipeline', AUTH, spec(pipelineId));
    expect([answer.status, answer.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect((await call('GET', `/api/v1/pipeline/${pipelineId}`, AUTH)).status).toBe(404);
  });

  test('a command that declares a non-JSON body is 415 and changes nothing', async () => {
    const answer = await call('POST', `/api/v1/pipeline/${stoppedId}/resume`, { ...AUTH, 'content-type': 'text/plain' }, 'resume');
    expect([answer.status, answer.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect(await statusOf(stoppedId)).toBe('Stopped');
  });

  test('application/json with a charset parameter is accepted', async () => {
    const answer = await call('POST', '/api/v1/pipeline', { ...AUTH, 'content-type': 'application/json; charset=utf-8' }, { name: 'x' });
    expect([answer.status, answer.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});

describe('a browser page of another origin can change nothing', () => {
  // What a browser adds to a fetch or form post from a page on another origin (here another port on the same host).
  const crossSite = (origin: string, site: string) => ({ origin, 'sec-fetch-site': site, 'sec-fetch-mode': 'no-cors' });

  test.each([
    ['another site', crossSite('http://evil.example', 'cross-site')],
    ['another port of this host', crossSite('http://127.0.0.1:1', 'same-site')],
    ['an opaque origin', crossSite('null', 'cross-site')],
    ['a browser that sends only Sec-Fetch-Site', { 'sec-fetch-site': 'cross-site' }],
  ])('a command from %s is 403 and changes nothing', async (_, headers) => {
    const answer = await call('POST', `/api/v1/pipeline/${stoppedId}/resume`, { ...AUTH, ...headers });
    expect([answer.status, answer.body.code]).toEqual([403, 'FORBIDDEN']);
    expect(await statusOf(stoppedId)).toBe('Stopped');
  });

  test('a create from another origin is 403 and creates nothing', async () => {
    const pipelineId = newPipelineId('xsite');
    const answer = await call(
      'POST',
      '/api/v1/pipeline',
      { ...AUTH, ...JSON_TYPE, ...crossSite('http://evil.example', 'cross-site') },
      spec(pipelineId),
    );
    expect([answer.status, answer.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await call('GET', `/api/v1/pipeline/${pipelineId}`, AUTH)).status).toBe(404);
  });

  test('the same origin and an allowed origin may; so may clients that are not browsers', async () => {
    const own = new URL(weir.url).origin;
    expect(
      (await call('POST', `/api/v1/pipeline/${stoppedId}/stop`, { ...AUTH, origin: own, 'sec-fetch-site': 'same-origin' })).status,
    ).toBe(204);
    expect(
      (await call('POST', `/api/v1/pipeline/${stoppedId}/stop`, { ...AUTH, origin: UI_ORIGIN, 'sec-fetch-site': 'cross-site' })).status,
    ).toBe(204);
    expect((await call('POST', `/api/v1/pipeline/${stoppedId}/stop`, AUTH)).status).toBe(204);
  });

  test('a cross-site read is answered: browsers keep its body from the page', async () => {
    expect(
      (await call('GET', `/api/v1/pipeline/${stoppedId}`, { ...AUTH, ...crossSite('http://evil.example', 'cross-site') })).status,
    ).toBe(200);
  });
});

describe('a request for another host name is refused (DNS rebinding)', () => {
  const port = () => new URL(weir.url).port;

  test.each(['evil.example', 'evil.example:{port}', '127.0.0.1.evil.example:{port}', ''])('Host %j is 403', async (host) => {
    const answer = await call('GET', '/api/v1/pipeline', { ...AUTH, host: host.replace('{port}', port()) });
    expect([answer.status, answer.body.code]).toEqual([403, 'FORBIDDEN']);
  });

  test.each(['127.0.0.1:{port}', 'localhost:{port}', 'LOCALHOST:{port}', '[::1]:{port}'])('Host %j is answered', async (host) => {
    expect((await call('GET', '/api/v1/pipeline', { ...AUTH, host: host.replace('{port}', port()) })).status).toBe(200);
  });

  test('the probes answer whatever the Host, as orchestrators probe by address', async () => {
    expect((await call('GET', '/healthz', { host: 'evil.example' })).status).toBe(200);
  });
});
