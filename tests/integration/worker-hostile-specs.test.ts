import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { PipelineGateway } from '../../api/pipeline-gateway';
import type { ComponentSpec, PipelineSpec } from '../../pipeline/pipeline-spec';
import { eventually } from '../../harness/eventually';
import { startWorkerProcess } from '../../harness/worker-process';
import { FAST_SETTINGS } from '../support/workflow-harness';

/**
 * Pipelines started straight through Temporal, as an operator with the temporal CLI could, so no API validation
 * stands between their specs and a worker process run as `npm start` runs it.
 */
let worker: ChildProcess;
let workerOutput = '';
let client: Client;
let gateway: PipelineGateway;
let probe: net.Server;
const probeRequests: string[] = [];
const started: string[] = [];
const runId = Date.now().toString(36);

beforeAll(async () => {
  probe = net.createServer((socket) => {
    probeRequests.push('connection');
    socket.on('data', (chunk: Buffer) => probeRequests.push(chunk.toString('latin1').split('\r\n')[0]));
    socket.end();
  });
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  worker = await startWorkerProcess();
  worker.stdout?.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
  worker.stderr?.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
  client = new Client({ connection: await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' }) });
  gateway = new PipelineGateway(client, { settings: FAST_SETTINGS, updateTimeoutMs: 10_000, deleteTimeoutMs: 60_000 });
});

afterAll(async () => {
  await Promise.allSettled(started.map((pipelineId) => removePipeline(pipelineId)));
  if (worker.exitCode === null) {
    worker.kill('SIGTERM');
    await once(worker, 'exit');
  }
  await client.connection.close();
  probe.close();
});

async function removePipeline(pipelineId: string): Promise<void> {
  await gateway.command(pipelineId, 'terminate', `cleanup-terminate-${pipelineId}`);
  await eventually(
    () => gateway.get(pipelineId),
    (record) => record.overall_status === 'Stopped',
    60_000,
  );
  await gateway.command(pipelineId, 'delete', `cleanup-delete-${pipelineId}`);
}

function startDirectly(suffix: string, component: Partial<ComponentSpec>): Promise<string> {
  const pipelineId = `hostile-${suffix}-${runId}`;
  const spec: PipelineSpec = {
    pipeline_id: pipelineId,
    name: `Hostile ${suffix}`,
    components: [{ name: 'web', image: 'busybox:latest', command: ['sleep', '3600'], replicas: 1, ...component }],
  };
  started.push(pipelineId);
  return gateway.create(spec, `create-${pipelineId}`).then(() => pipelineId);
}

const failedWithin = (pipelineId: string, timeoutMs: number) =>
  eventually(
    () => gateway.get(pipelineId),
    (record) => record.overall_status === 'Failed',
    timeoutMs,
    100,
  );

test('hostile image references, env, commands, names and replica counts fail their pipeline alone, at once, and never reach another host', async () => {
  const { port } = probe.address() as net.AddressInfo;
  const images = [
    '../../etc/passwd',
    'busybox/../../../v1.40/containers/json',
    `../../127.0.0.1:${port}/probe`,
    'busybox$(id)',
    'BUSYBOX:LATEST',
    '-v',
    'busybox:latest#frag',
  ];
  const hostile: Array<{ suffix: string; component: Partial<ComponentSpec>; reason: string }> = [
    ...images.map((image, index) => ({ suffix: `image${index}`, component: { image }, reason: `image ${JSON.stringify(image)}` })),
    { suffix: 'envnul', component: { env: { GREETING: 'hello\u0000world' } }, reason: 'env variable "GREETING"' },
    { suffix: 'envname', component: { env: { 'A=B': 'x' } }, reason: 'env variable "A=B"' },
    { suffix: 'cmdnul', component: { command: ['sleep', '36\u000000'] }, reason: 'command' },
    { suffix: 'replicas', component: { replicas: 1_000_000_000 }, reason: 'replicas' },
    { suffix: 'name', component: { name: 'x/../../../v1.40/containers/json' }, reason: 'the name does not match' },
    // In a NATS subject, these would widen the component's permissions to other consumers and streams.
    { suffix: 'wildname', component: { name: '*' }, reason: 'the name does not match' },
    { suffix: 'wildstream', component: { output: 'raw.>' }, reason: 'the stream "raw.>" does not match' },
  ];

  const startedAt = Date.now();
  const [unrelated, ...pipelines] = await Promise.all([
    startDirectly('unrelated', {}),
    ...hostile.map(({ suffix, component }) => startDirectly(suffix, component)),
  ]);

  for (const [index, pipelineId] of pipelines.entries()) {
    const { component, reason } = hostile[index];
    const { failure } = await failedWithin(pipelineId, 20_000);
    expect(failure).toMatchObject({ operation: 'deploy', component: component.name ?? 'web', attempts: 1 });
    expect(failure?.error).toContain(reason);
  }
  const failedAfterMs = Date.now() - startedAt;
  await eventually(
    () => gateway.get(unrelated),
    (record) => record.overall_status === 'Running',
    60_000,
  );

  expect(failedAfterMs).toBeLessThan(20_000);
  expect(worker.exitCode).toBeNull();
  expect(worker.signalCode).toBeNull();
  expect(workerOutput).not.toMatch(/uncaught|ENOTFOUND|Invalid URL/i);
  expect(probeRequests).toEqual([]);
});
