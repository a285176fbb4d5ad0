import { eventually } from '../../harness/eventually';
import { useWeirSystem } from '../support/use-weir-system';

const weir = useWeirSystem();

const run = Date.now().toString(36);
const components = [{ name: 'ingestor', image: 'busybox:latest', command: ['sleep', '3600'] }];

async function create(body: Record<string, unknown>, requestId?: string) {
  const answer = await weir.request('POST', '/api/v1/pipeline', body, requestId ? { 'x-request-id': requestId } : {});
  if (answer.status === 201) weir.removeAtClose(answer.body.pipeline_id);
  return answer;
}

describe('create is idempotent under X-Request-Id', () => {
  test('a retry with the same request id and body answers 201 with the same pipeline, not 409', async () => {
    const body = { pipeline_id: `idem-${run}`, name: 'Idempotent', components };
    const first = await create(body, `create-${run}`);
    const retry = await create(body, `create-${run}`);
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.body).toMatchObject({ pipeline_id: first.body.pipeline_id, created_at: first.body.created_at, name: 'Idempotent' });
    expect(retry.headers.get('x-request-id')).toBe(`create-${run}`);
  });

  test('a retry without a pipeline id names the same generated pipeline', async () => {
    const body = { name: 'Anonymous idempotent', components };
    const first = await create(body, `anon-${run}`);
    const retry = await create(body, `anon-${run}`);
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.body.pipeline_id).toBe(first.body.pipeline_id);
  });

  test('the same request id with another body, or another request id, is a conflict', async () => {
    const body = { pipeline_id: `conflict-${run}`, name: 'First', components };
    expect((await create(body, `conflict-${run}`)).status).toBe(201);
    const changed = await create({ ...body, name: 'Second' }, `conflict-${run}`);
    expect([changed.status, changed.body.code]).toEqual([409, 'ALREADY_EXISTS']);
    const other = await create(body, `other-${run}`);
    expect([other.status, other.body.code]).toEqual([409, 'ALREADY_EXISTS']);
    expect((await weir.request('GET', `/api/v1/pipeline/conflict-${run}`)).body.name).toBe('First');
  });
});

describe('list pages through pipelines with limit and page_token', () => {
  const PAGED = 5;
  const pagedIds = Array.from({ length: PAGED }, (_, index) => `page-${run}-${index}`);

  beforeAll(async () => {
    for (const id of pagedIds) expect((await create({ pipeline_id: id, name: `Paged ${id}`, components })).status).toBe(201);
  });

  async function allPages(query: string): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const tokenQuery: string = token ? `&page_token=${encodeURIComponent(token)}` : '';
      const answer = await weir.request('GET', `/api/v1/pipeline?${query}${tokenQuery}`);
      expect(answer.status).toBe(200);
      ids.push(...answer.body.map((summary: { pipeline_id: string }) => summary.pipeline_id));
      token = answer.headers.get('weir-next-page-token');
      pages++;
    } while (token);
    return { ids, pages };
  }

  test('pages of 2 hold every pipeline exactly once', async () => {
    const { ids, pages } = await allPages('limit=2');
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(pagedIds));
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(PAGED / 2));
  });

  test('a page holds at most limit entries, and status filters every page', async () => {
    const first = await weir.request('GET', '/api/v1/pipeline?limit=2');
    expect(first.body.length).toBeLessThanOrEqual(2);
    await eventually(
      () => allPages('status=Running&limit=2'),
      ({ ids }) => pagedIds.every((id) => ids.includes(id)),
    );
    const { ids } = await allPages('status=Stopped&limit=2');
    expect(ids.filter((id) => pagedIds.includes(id))).toEqual([]);
  });

  test.each([
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=ten', 'limit'],
    ['page_token=not-a-token', 'page_token'],
    [`page_token=${Buffer.from(JSON.stringify({ q: 'x', t: 'AAAA' })).toString('base64url')}`, 'page_token'],
  ])('?%s is 400 naming %s', async (query, field) => {
    const answer = await weir.request('GET', `/api/v1/pipeline?${query}`);
    expect([answer.status, answer.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(Object.keys(answer.body.details.fields)).toEqual([field]);
  });

  test('a token is bound to its filter: replayed under another status it is 400', async () => {
    const first = await weir.request('GET', '/api/v1/pipeline?limit=1');
    const token = first.headers.get('weir-next-page-token');
    expect(token).toEqual(expect.any(String));
    const replayed = await weir.request('GET', `/api/v1/pipeline?status=Stopped&limit=1&page_token=${encodeURIComponent(token as string)}`);
    expect([replayed.status, Object.keys(replayed.body.details.fields)]).toEqual([400, ['page_token']]);
  });
});
