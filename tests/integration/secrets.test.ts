import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decode, parseCreds, type User } from '@nats-io/jwt';
import { componentPermissions } from '../../activities/nats/component-permissions';
import { workflowIdFor } from '../../pipeline/names';
import { WeirSystem } from '../../harness/weir-system';
import { newPipelineId } from '../support/test-ids';

let weir: WeirSystem;
let secretsDir: string;
const newId = () => newPipelineId('secret');
const SECRET_VALUE = `value-${randomBytes(12).toString('hex')}`;

beforeAll(async () => {
  secretsDir = await mkdtemp(path.join(os.tmpdir(), 'weir-secrets-'));
  await chmod(secretsDir, 0o700);
  await writeFile(path.join(secretsDir, 'db-password'), `${SECRET_VALUE}\n`, { mode: 0o600 });
  weir = await WeirSystem.start({ env: { WEIR_SECRETS_DIR: secretsDir } });
});

afterAll(async () => {
  await weir.close();
  await rm(secretsDir, { recursive: true, force: true });
});

const withSecret = (pipelineId: string, secret: string) => ({
  pipeline_id: pipelineId,
  name: `Secret ${pipelineId}`,
  components: [
    {
      name: 'db',
      image: 'busybox:latest',
      command: ['sleep', '3600'],
      env: { PLAIN: 'visible-value' },
      secret_env: { DB_PASSWORD: secret },
    },
  ],
});

/** Every string and every payload in the workflow's history, payloads decoded from their bytes. */
async function historyText(pipelineId: string): Promise<string> {
  const history = await weir.client.workflow.getHandle(workflowIdFor(pipelineId)).fetchHistory();
  const texts: string[] = [];
  const visit = (value: unknown): void => {
    if (value instanceof Uint8Array) texts.push(Buffer.from(value).toString('utf8'));
    else if (typeof value === 'string') texts.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(history);
  return texts.join('\n');
}

async function commandReaches(pipelineId: string, command: 'terminate' | 'resume', status: string) {
  expect((await weir.request('POST', `/api/v1/pipeline/${pipelineId}/${command}`)).status).toBe(204);
  await weir.healthReaches(pipelineId, status);
}

test('a secret reaches the container, on create and on resume, but never the workflow history or the API', async () => {
  const id = newId();
  expect((await weir.request('POST', '/api/v1/pipeline', withSecret(id, 'db-password'))).status).toBe(201);
  await weir.healthReaches(id, 'Running');
  const env = () => weir.containers(id).then((containers) => containers.get(`weir-${id}-db-0`)!.Config.Env);
  expect(await env()).toEqual(expect.arrayContaining([`DB_PASSWORD=${SECRET_VALUE}`, 'PLAIN=visible-value']));

  // Resume takes the start-again path, which reads the secret again.
  await weir.docker.getContainer(`weir-${id}-db-0`).remove({ force: true });
  await weir.healthReaches(id, 'Failed');
  await commandReaches(id, 'terminate', 'Stopped');
  await commandReaches(id, 'resume', 'Running');
  expect(await env()).toEqual(expect.arrayContaining([`DB_PASSWORD=${SECRET_VALUE}`]));

  const history = await historyText(id);
  // The decoding finds what history does hold: the plain value and the secret's name.
  expect(history).toContain('visible-value');
  expect(history).toContain('db-password');
  expect(history).not.toContain(SECRET_VALUE);
  const record = await weir.request('GET', `/api/v1/pipeline/${id}`);
  expect(record.body.components[0].secret_env).toEqual({ DB_PASSWORD: 'db-password' });
  expect(JSON.stringify(record.body)).not.toContain(SECRET_VALUE);

  await commandReaches(id, 'terminate', 'Stopped');
  await weir.removeCompletely(id);
});

test('a missing secret fails the pipeline at once, naming the component and the secret; once it exists, resume runs', async () => {
  const id = newId();
  const secret = `late-${id}`;
  expect((await weir.request('POST', '/api/v1/pipeline', withSecret(id, secret))).status).toBe(201);
  const failed = await weir.healthReaches(id, 'Failed');
  expect(failed.body.failure).toMatchObject({ operation: 'deploy', component: 'db', attempts: 1 });
  expect(failed.body.failure.error).toBe(`component db needs secret ${secret}, but it is not in ${secretsDir}`);
  expect((await weir.containers(id)).size).toBe(0);

  await commandReaches(id, 'terminate', 'Stopped');
  await writeFile(path.join(secretsDir, secret), SECRET_VALUE);
  await commandReaches(id, 'resume', 'Running');
  expect((await weir.containers(id)).get(`weir-${id}-db-0`)!.Config.Env).toEqual(expect.arrayContaining([`DB_PASSWORD=${SECRET_VALUE}`]));

  await commandReaches(id, 'terminate', 'Stopped');
  await weir.removeCompletely(id);
});
test("each component's NATS credentials, allowed only its own subjects, reach its container but never the history or the API", async () => {
  const id = newId();
  const components = [
    { name: 'source', image: 'busybox:latest', command: ['sleep', '3600'], output: 'raw' },
    { name: 'sink', image: 'busybox:latest', command: ['sleep', '3600'], input: 'raw' },
  ];
  expect((await weir.request('POST', '/api/v1/pipeline', { pipeline_id: id, name: `Creds ${id}`, components })).status).toBe(201);
  await weir.healthReaches(id, 'Running');
  const containers = await weir.containers(id);
  const history = await historyText(id);
  const record = JSON.stringify((await weir.request('GET', `/api/v1/pipeline/${id}`)).body);
  for (const component of components) {
    const env = new Map(
      containers
        .get(`weir-${id}-${component.name}-0`)!
        .Config.Env.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    );
    expect(env.get('WEIR_NATS_INBOX_PREFIX')).toBe(`_INBOX_weir.${id}.${component.name}`);
    const creds = await parseCreds(new TextEncoder().encode(env.get('WEIR_NATS_CREDS')));
    const { pub, sub } = decode<User>(creds.jwt).nats;
    expect({ pub, sub }).toEqual(componentPermissions(id, { ...component, replicas: 1 }));
    expect(creds.aid).toBe(process.env.WEIR_NATS_ACCOUNT);
    for (const text of [history, record]) {
      expect(text).not.toContain(creds.key);
      expect(text).not.toContain(creds.jwt);
    }
  }

  await commandReaches(id, 'terminate', 'Stopped');
  await weir.removeCompletely(id);
});

test('a component that prints its secret and dies fails the pipeline quoting its log, with the secret masked', async () => {
  const id = newId();
  const leaky = {
    pipeline_id: id,
    name: `Leaky ${id}`,
    components: [
      {
        name: 'db',
        image: 'busybox:latest',
        command: ['sh', '-c', 'echo "cannot log in with $DB_PASSWORD"; exit 3'],
        secret_env: { DB_PASSWORD: 'db-password' },
      },
    ],
  };
  expect((await weir.request('POST', '/api/v1/pipeline', leaky)).status).toBe(201);
  const failed = await weir.healthReaches(id, 'Failed');
  expect(failed.body.failure.error).toContain('exited with code 3; last log lines: cannot log in with [secret db-password]');
  expect(await historyText(id)).not.toContain(SECRET_VALUE);

  await commandReaches(id, 'terminate', 'Stopped');
  await weir.removeCompletely(id);
});
