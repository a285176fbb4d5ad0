import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { DOCUMENTED_API, docExamples, type DocExample } from '../../harness/doc-examples';
import { eventually } from '../../harness/eventually';
import { streamFacts } from '../../harness/pipeline-data';
import { isSettled, type PipelineStatus } from '../../pipeline/status-machine';
import { distinctFreePorts } from '../../scripts/kubernetes/free-ports';
import { ensureNatsAuthMaterial, natsAuthEnv } from '../../scripts/nats-auth';
import { readUntil } from '../support/read-until';

/**
 * `WEIR_ORCHESTRATOR=kubernetes npm start` without a KUBECONFIG: it starts a cluster of its own with a real kubelet
 * node, and the documentation's examples run on it as written. Needs root, as the real node does.
 */

/** The binaries' own build timeout, plus the start of Temporal, NATS, the plane, its node and the image imports. */
const START_TIMEOUT_MS = 65 * 60 * 1000;
const SETTLE_TIMEOUT_MS = 120_000;
const SECRET_VALUE = `value-${randomBytes(12).toString('hex')}`;
const repoRoot = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

let dataDir: string;
let start: ChildProcess;
let output = '';
let api: string;
let natsUrl: string;
let natsEnv: Record<string, string>;
let core: CoreV1Api;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'weir-start-k8s-'));
  // Made before the start, which keeps them: the test reads the pipelines' streams with the same keys.
  natsEnv = natsAuthEnv(await ensureNatsAuthMaterial(path.join(dataDir, 'nats-auth')));
  await mkdir(path.join(dataDir, 'secrets'), { mode: 0o700 });
  await writeFile(path.join(dataDir, 'secrets', 'api-key'), `${SECRET_VALUE}\n`, { mode: 0o600 });
  const [temporalPort, temporalUiPort, natsPort, apiPort] = await distinctFreePorts(4);
  api = `http://127.0.0.1:${apiPort}`;
  natsUrl = `nats://127.0.0.1:${natsPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WEIR_ORCHESTRATOR: 'kubernetes',
    WEIR_DATA_DIR: dataDir,
    WEIR_TEMPORAL_PORT: String(temporalPort),
    WEIR_TEMPORAL_UI_PORT: String(temporalUiPort),
    WEIR_NATS_PORT: String(natsPort),
    WEIR_API_PORT: String(apiPort),
    WEIR_WORKER_METRICS_PORT: '0',
  };
  // What the global setup exports for the in-process tests would point `npm start` elsewhere.
  for (const name of ['KUBECONFIG', 'WEIR_SECRETS_DIR', 'TEMPORAL_ADDRESS', 'NATS_URL']) delete env[name];
  start = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  start.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  start.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await eventually(
    async () => output,
    (text) => text.includes('worker polling') || start.exitCode !== null,
    START_TIMEOUT_MS,
    500,
  );
  if (start.exitCode !== null) throw new Error(`npm start exited with ${start.exitCode}:\n${output}`);
  const kubeconfig = /KUBECONFIG=(\S+),/.exec(output)?.[1];
  if (!kubeconfig) throw new Error(`npm start did not say which cluster it started:\n${output}`);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfig);
  core = kubeConfig.makeApiClient(CoreV1Api);
}, START_TIMEOUT_MS);

afterAll(async () => {
  if (start && start.exitCode === null) {
    start.kill('SIGTERM');
    await once(start, 'exit');
  }
  // The cluster went with it.
  expect(/KUBECONFIG=(\S+),/.exec(output)?.[1]).toBeDefined();
  await rm(dataDir, { recursive: true, force: true });
}, SETTLE_TIMEOUT_MS);

/** Runs a documented command as a reader would, against this start's API, and returns what it printed. */
async function shell(command: string): Promise<string> {
  const { stdout } = await run('sh', ['-c', command.replaceAll(DOCUMENTED_API, api)], { timeout: SETTLE_TIMEOUT_MS });
  return stdout;
}

async function pipelineStatus(id: string): Promise<PipelineStatus | 'gone'> {
  const response = await fetch(`${api}/api/v1/pipeline/${id}`);
  if (response.status === 404) return 'gone';
  return ((await response.json()) as { overall_status: PipelineStatus }).overall_status;
}

/** Runs one example and checks what its comment says: the HTTP status, and the status the pipeline settles at. */
async function runExample(example: DocExample): Promise<void> {
  const id = /"pipeline_id": "([a-z0-9-]+)"|\/pipeline\/([a-z0-9-]+)/.exec(example.command)!.slice(1).find(Boolean)!;
  if (example.watched) {
    await eventually(
      () => shell(example.command),
      (text) => text.includes(`"overall_status":"${example.settlesAt}"`),
      SETTLE_TIMEOUT_MS,
      1000,
    );
    return;
  }
  const printed = await shell(example.command);
  // `curl -i` prints the status line: the one the comment names, or else a success.
  if (/^curl -i /.test(example.command)) {
    expect(printed.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${example.httpStatus ?? '2\\d\\d'} `));
  } else expect((JSON.parse(printed) as { pipeline_id: string }).pipeline_id).toBe(id);
  // A reader waits for a command to finish before typing the next.
  const settled = await eventually(
    () => pipelineStatus(id),
    (status) => status === 'gone' || isSettled(status),
    SETTLE_TIMEOUT_MS,
    250,
  );
  if (example.settlesAt) expect(settled).toBe(example.settlesAt);
}

/** Reads the stream facts with the keys `npm start` gave NATS, instead of the global setup's. */
async function factsOf(pipelineId: string, stream: string) {
  const saved = Object.fromEntries(Object.keys(natsEnv).map((name) => [name, process.env[name]]));
  Object.assign(process.env, natsEnv);
  try {
    // Retried: on a busy machine a first connection can outlast the client's dial timeout.
    return await eventually(
      () => streamFacts(natsUrl, pipelineId, stream),
      () => true,
      60_000,
      1000,
    );
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

test("the README's first pipeline runs as written: create, Running, stop, resume, terminate, delete, 404", async () => {
  const examples = await docExamples(path.join(repoRoot, 'README.md'));
  expect(examples.map((example) => example.command.split(' ').slice(0, 3).join(' '))).toEqual([
    'curl -s -X',
    'curl -s http://127.0.0.1:8080/api/v1/pipeline/orders-etl/health',
    'curl -i -X',
    'curl -i -X',
    'curl -i -X',
    'curl -i -X',
    'curl -i http://127.0.0.1:8080/api/v1/pipeline/orders-etl',
  ]);
  for (const example of examples) await runExample(example);
  expect(await pipelineStatus('orders-etl')).toBe('gone');
  expect((await core.listNamespacedPod({ namespace: 'weir', labelSelector: 'weir.pipeline=orders-etl' })).items).toEqual([]);
});

/** Waits until the source's log, read through the logs endpoint, says it has published all it was to. */
async function sourceFinished(id: string): Promise<void> {
  await eventually(
    async () => (await fetch(`${api}/api/v1/pipeline/${id}/components/source/logs?tail=10`)).text(),
    (text) => text.includes('"event":"generated"'),
    SETTLE_TIMEOUT_MS,
    500,
  );
}

test('the data pipeline of docs/concepts.md moves its 1000 messages from source through transform to sink', async () => {
  const examples = await docExamples(path.join(repoRoot, 'docs', 'concepts.md'));
  expect(examples.length).toBeGreaterThanOrEqual(4);
  for (const example of examples) {
    // Reading the sink's file through a Docker volume is the Docker mode's check; here the streams show it.
    if (example.command.startsWith('docker ')) {
      expect(await factsOf('clicks', 'raw')).toMatchObject({ accepted: 1000, held: 0 });
      expect(await factsOf('clicks', 'clean')).toMatchObject({ accepted: 1000, held: 0 });
      continue;
    }
    // A reader lets the source publish before stopping it, which would end its publishing.
    if (example.command.includes('/clicks/stop')) await sourceFinished('clicks');
    await runExample(example);
  }
  expect(await pipelineStatus('clicks')).toBe('gone');
  expect((await factsOf('clicks', 'raw')).streams).toEqual([]);
});

/** A component that prints its secret once, then a numbered line five times a second. */
const chatty = (pipelineId: string, replicas: number) => ({
  pipeline_id: pipelineId,
  name: `Chatty ${pipelineId}`,
  components: [
    {
      name: 'talker',
      image: 'busybox:latest',
      command: ['sh', '-c', 'echo "key is $API_KEY"; i=0; while true; do i=$((i+1)); echo "out $i"; sleep 0.2; done'],
      secret_env: { API_KEY: 'api-key' },
      replicas,
    },
  ],
});

async function post(pathname: string, body?: unknown): Promise<number> {
  const response = await fetch(`${api}${pathname}`, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

async function settlesAt(id: string, wanted: PipelineStatus): Promise<void> {
  await eventually(
    () => pipelineStatus(id),
    (status) => status === wanted,
    SETTLE_TIMEOUT_MS,
    250,
  );
}

async function remove(id: string): Promise<void> {
  if ((await pipelineStatus(id)) !== 'Stopped') {
    expect(await post(`/api/v1/pipeline/${id}/terminate`)).toBe(204);
    await settlesAt(id, 'Stopped');
  }
  expect((await fetch(`${api}/api/v1/pipeline/${id}`, { method: 'DELETE' })).status).toBe(204);
}

async function podNames(id: string): Promise<string[]> {
  const { items } = await core.listNamespacedPod({ namespace: 'weir', labelSelector: `weir.pipeline=${id}` });
  return items.map((pod) => pod.metadata!.name!).sort();
}

test("component logs come from the pods: every line tagged with its pod's name, secrets masked, tail and follow", async () => {
  const id = 'k8s-logs';
  expect(await post('/api/v1/pipeline', chatty(id, 2))).toBe(201);
  await settlesAt(id, 'Running');
  const pods = await podNames(id);
  expect(pods).toHaveLength(2);
  const logs = (query: string) => fetch(`${api}/api/v1/pipeline/${id}/components/talker/logs${query}`);

  const all = await eventually(
    async () => (await logs('?tail=10000')).text(),
    (text) => pods.every((pod) => text.includes(`[${pod}] out 3\n`)),
  );
  for (const pod of pods) expect(all).toContain(`[${pod}] key is [secret api-key]\n`);
  expect(all).not.toContain(SECRET_VALUE);

  const last = (await (await logs('?tail=2')).text()).trimEnd().split('\n');
  expect(last).toHaveLength(4);
  for (const pod of pods) expect(last.filter((line) => new RegExp(`^\\[${pod}\\] out \\d+$`).test(line))).toHaveLength(2);

  const live = await logs('?tail=1&follow=true');
  expect(live.status).toBe(200);
  const streamed = await readUntil(live, (text) => pods.every((pod) => text.split(`[${pod}] out`).length > 3), 30_000);
  for (const pod of pods) {
    const numbers = [...streamed.matchAll(new RegExp(`\\[${pod}\\] out (\\d+)\\n`, 'g'))].map((match) => Number(match[1]));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(numbers.length);
  }

  // A follow that is open when the pipeline stops ends with the pods' logs.
  const open = logs('?tail=1&follow=true').then((response) => response.text());
  expect(await post(`/api/v1/pipeline/${id}/stop`)).toBe(204);
  await settlesAt(id, 'Stopped');
  expect(await open).toMatch(/\] out \d+\n$/);
  await remove(id);
});

test("a pod that fails names its last log lines in the pipeline's failure, secrets masked", async () => {
  const id = 'k8s-crash';
  const crashing = {
    pipeline_id: id,
    name: 'Crashing',
    components: [
      {
        name: 'app',
        image: 'busybox:latest',
        command: ['sh', '-c', 'echo starting; echo "key is $API_KEY"; sleep 3; echo giving up; exit 3'],
        secret_env: { API_KEY: 'api-key' },
      },
    ],
  };
  expect(await post('/api/v1/pipeline', crashing)).toBe(201);
  await settlesAt(id, 'Failed');
  const { failure } = (await (await fetch(`${api}/api/v1/pipeline/${id}`)).json()) as { failure: { component: string; error: string } };
  expect(failure.component).toBe('app');
  expect(failure.error).toMatch(/^component app failed: (Restarted|CrashLoopBackOff|PodFailed): /);
  expect(failure.error).toContain('exit code 3');
  expect(failure.error).toContain('; last log lines: starting\nkey is [secret api-key]\ngiving up');
  expect(failure.error).not.toContain(SECRET_VALUE);
  await remove(id);
});
