import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../../harness/eventually';
import { WeirSystem } from '../../harness/weir-system';
import { pipelineIdRemovedAtClose } from '../support/use-weir-system';
import { readUntil } from '../support/read-until';

let weir: WeirSystem;
let secretsDir: string;
const newId = () => pipelineIdRemovedAtClose(weir, 'logs');
const SECRET_VALUE = `value-${randomBytes(12).toString('hex')}`;

beforeAll(async () => {
  secretsDir = await mkdtemp(path.join(os.tmpdir(), 'weir-log-secrets-'));
  await chmod(secretsDir, 0o700);
  await writeFile(path.join(secretsDir, 'api-key'), `${SECRET_VALUE}\n`, { mode: 0o600 });
  weir = await WeirSystem.start({ env: { WEIR_SECRETS_DIR: secretsDir } });
});

afterAll(async () => {
  await weir.close();
  await rm(secretsDir, { recursive: true, force: true });
});

/** A component that prints its secret once, then numbered lines on stdout and stderr, five a second. */
const chatty = (pipelineId: string, replicas: number) => ({
  pipeline_id: pipelineId,
  name: `Chatty ${pipelineId}`,
  components: [
    {
      name: 'talker',
      image: 'busybox:latest',
      command: ['sh', '-c', 'echo "key is $API_KEY"; i=0; while true; i=$((i+1)); do echo "out $i"; echo "err $i" >&2; sleep 0.2; done'],
      secret_env: { API_KEY: 'api-key' },
      replicas,
    },
    { name: 'quiet', image: 'busybox:latest', command: ['sleep', '3600'] },
  ],
});

const logsPath = (id: string, component: string, query = '') => `/api/v1/pipeline/${id}/components/${component}/logs${query}`;

async function removePipeline(id: string): Promise<void> {
  await weir.request('POST', `/api/v1/pipeline/${id}/terminate`);
  await weir.healthReaches(id, 'Stopped');
  expect((await weir.request('DELETE', `/api/v1/pipeline/${id}`)).status).toBe(204);
}

test('tail: the last lines of every replica, stdout and stderr, tagged with the replica, secrets masked', async () => {
  const id = newId();
  expect((await weir.request('POST', '/api/v1/pipeline', chatty(id, 2))).status).toBe(201);
  await weir.healthReaches(id, 'Running');

  const first = await fetch(`${weir.url}${logsPath(id, 'talker', '?tail=10000')}`);
  expect(first.status).toBe(200);
  expect(first.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  const all = await first.text();
  expect(all).toContain('[0] key is [secret api-key]\n');
  expect(all).toContain('[1] key is [secret api-key]\n');
  expect(all).not.toContain(SECRET_VALUE);

  // Each replica keeps writing; once each has written past its first line, its last 4 lines are two of stdout and
  // two of stderr, or close to it.
  await eventually(
    async () => (await fetch(`${weir.url}${logsPath(id, 'talker', '?tail=10000')}`)).text(),
    (text) => text.includes('[0] out 3\n') && text.includes('[1] out 3\n'),
  );
  const lines = await withLinesFromEveryReplica(async () =>
    (await (await fetch(`${weir.url}${logsPath(id, 'talker', '?tail=4')}`)).text()).trimEnd().split('\n'),
  );
  expect(lines).toHaveLength(8);
  for (const line of lines) expect(line).toMatch(/^\[(0|1)( stderr)?\] (out|err) \d+$/);
  expect(lines.filter((line) => line.startsWith('[0'))).toHaveLength(4);
  expect(lines.filter((line) => / stderr\] err \d+$/.test(line)).length).toBeGreaterThan(0);
  expect(lines.filter((line) => /^\[\d\] out \d+$/.test(line)).length).toBeGreaterThan(0);

  // A component that printed nothing answers an empty log.
  const quiet = await fetch(`${weir.url}${logsPath(id, 'quiet')}`);
  expect(quiet.status).toBe(200);
  expect(await quiet.text()).toBe('');
  await removePipeline(id);
});

/** Waits until the log has at least 4 lines per replica (the component is fast, but a fresh container is empty). */
async function withLinesFromEveryReplica(read: () => Promise<string[]>): Promise<string[]> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const lines = await read();
    if (lines.length >= 8) return lines;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return read();
}

test('follow streams new lines as they are written, and ends once the component stops', async () => {
  const id = newId();
  expect((await weir.request('POST', '/api/v1/pipeline', chatty(id, 1))).status).toBe(201);
  await weir.healthReaches(id, 'Running');

  const live = await fetch(`${weir.url}${logsPath(id, 'talker', '?tail=1&follow=true')}`);
  expect(live.status).toBe(200);
  expect(live.headers.get('transfer-encoding')).toBe('chunked');
  // Starting from one line, later numbers arrive while the response stays open.
  const streamed = await readUntil(live, (text) => /\[0\] out (\d+)\n[\s\S]*\[0\] out \d+\n[\s\S]*\[0\] out \d+\n/.test(text));
  const numbers = [...streamed.matchAll(/\[0\] out (\d+)\n/g)].map((match) => Number(match[1]));
  expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  expect(new Set(numbers).size).toBe(numbers.length);

  // A follow that is open when the pipeline stops ends with the container's log.
  const open = fetch(`${weir.url}${logsPath(id, 'talker', '?follow=true')}`).then((response) => response.text());
  expect((await weir.request('POST', `/api/v1/pipeline/${id}/stop`)).status).toBe(204);
  await weir.healthReaches(id, 'Stopped');
  const whole = await open;
  expect(whole).toMatch(/\[0\] out \d+\n$|\[0 stderr\] err \d+\n$/);
  expect(whole).not.toContain(SECRET_VALUE);
  await removePipeline(id);
});

test('tail, follow and the component name are validated; an unknown pipeline or component is a 404', async () => {
  const id = newId();
  expect((await weir.request('POST', '/api/v1/pipeline', chatty(id, 1))).status).toBe(201);
  for (const query of ['?tail=0', '?tail=10001', '?tail=ten', '?follow=yes', '?since=1']) {
    const answer = await weir.request('GET', logsPath(id, 'talker', query));
    expect({ query, status: answer.status, code: answer.body.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
  }
  expect((await weir.request('GET', logsPath(id, 'Not_A_Name'))).status).toBe(400);
  const noComponent = await weir.request('GET', logsPath(id, 'absent'));
  expect(noComponent.status).toBe(404);
  expect(noComponent.body).toEqual({ code: 'NOT_FOUND', message: `pipeline ${id} has no component absent` });
  expect((await weir.request('GET', logsPath('no-such-pipeline', 'talker'))).status).toBe(404);
  expect((await weir.request('GET', logsPath(id, 'talker', '?tail=10000&follow=false'))).status).toBe(200);
  await weir.healthReaches(id, 'Running');
  await removePipeline(id);
});
