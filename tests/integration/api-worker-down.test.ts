import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureNatsAuthMaterial, natsAuthEnv } from '../../scripts/nats-auth';
import { findFreePort } from '../../scripts/ports';
import { startNatsServer } from '../../scripts/services';
import { ensureNatsServer } from '../../scripts/tools';
import { eventually } from '../../harness/eventually';
import { WeirSystem } from '../../harness/weir-system';
import { useWeirSystem } from '../support/use-weir-system';
import { newPipelineId } from '../support/test-ids';

const weir = useWeirSystem();

test('health answers from the last known status while no worker runs; commands get 503 and a retry is applied once', async () => {
  const id = newPipelineId('down');
  await weir.request('POST', '/api/v1/pipeline', {
    pipeline_id: id,
    name: 'Worker outage',
    components: [{ name: 'sleeper', image: 'busybox:latest', command: ['sleep', '3600'] }],
  });
  await weir.healthReaches(id, 'Running');

  await weir.stopWorker();
  const health = await weir.request('GET', `/api/v1/pipeline/${id}/health`);
  expect(health.status).toBe(200);
  expect(health.body).toMatchObject({ pipeline_id: id, pipeline_name: 'Worker outage', overall_status: 'Running' });
  expect((await weir.request('GET', `/api/v1/pipeline/${id}`)).body.components[0].name).toBe('sleeper');

  const started = Date.now();
  const unanswered = await weir.request('POST', `/api/v1/pipeline/${id}/stop`, undefined, { 'x-request-id': 'outage-stop' });
  expect(unanswered.status).toBe(503);
  expect(unanswered.body.code).toBe('UNAVAILABLE');
  expect(Date.now() - started).toBeLessThan(15_000);
  expect((await weir.request('GET', `/api/v1/pipeline/${id}/history`)).status).toBe(503);

  await weir.startWorker();
  // As a client would: the same request id again until a worker takes it; a busy machine may need a second try.
  const retried = await eventually(
    () => weir.request('POST', `/api/v1/pipeline/${id}/stop`, undefined, { 'x-request-id': 'outage-stop' }),
    (answer) => answer.status !== 503,
  );
  expect(retried.status).toBe(204);
  const stopped = await eventually(
    () => weir.request('GET', `/api/v1/pipeline/${id}/history`),
    (answer) => answer.body?.overall_status === 'Stopped',
  );
  expect(stopped.body.transitions.filter((t: { request_id: string }) => t.request_id === 'outage-stop')).toHaveLength(1);
  expect((await weir.request('DELETE', `/api/v1/pipeline/${id}`)).status).toBe(204);
});

test('with NATS unreachable, deploy retries and then fails naming NATS; once NATS is back, resume runs the pipeline', async () => {
  const id = newPipelineId('nonats');
  const unreachableNats = `nats://127.0.0.1:${await findFreePort()}`;
  await weir.stopWorker();
  const cutOff = await WeirSystem.start({ env: { NATS_URL: unreachableNats } });
  try {
    const created = await cutOff.request('POST', '/api/v1/pipeline', {
      pipeline_id: id,
      name: 'NATS outage',
      components: [
        { name: 'source', image: 'busybox:latest', command: ['sleep', '3600'], output: 'raw' },
        { name: 'sink', image: 'busybox:latest', command: ['sleep', '3600'], input: 'raw' },
      ],
    });
    expect(created.status).toBe(201);
    const failed = await cutOff.healthReaches(id, 'Failed');
    expect(failed.body.failure).toMatchObject({ operation: 'deploy', attempts: 3 });
    expect(failed.body.failure.error).toContain(`NATS at ${unreachableNats} is unreachable`);
    expect((await cutOff.request('GET', '/readyz')).body.nats).toBe('unreachable');
    expect((await weir.containers(id)).size).toBe(0);
  } finally {
    await cutOff.close();
    await weir.startWorker();
  }

  await weir.request('POST', `/api/v1/pipeline/${id}/terminate`);
  await weir.healthReaches(id, 'Stopped');
  await weir.request('POST', `/api/v1/pipeline/${id}/resume`);
  await weir.healthReaches(id, 'Running');
  await weir.request('POST', `/api/v1/pipeline/${id}/terminate`);
  await weir.healthReaches(id, 'Stopped');
  expect((await weir.request('DELETE', `/api/v1/pipeline/${id}`)).status).toBe(204);
  expect(await weir.leftovers(id)).toEqual({ containers: 0, networks: 0, volumes: 0 });
});

test('a stop while NATS is down fails naming NATS, its address and the component being drained', async () => {
  const id = `natsdown-${Date.now().toString(36)}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'weir-nats-outage-'));
  const natsAuth = await ensureNatsAuthMaterial(path.join(dir, 'auth'));
  const nats = await startNatsServer({
    bin: await ensureNatsServer(),
    port: await findFreePort(),
    storeDir: path.join(dir, 'store'),
    configFile: natsAuth.serverConfigFile,
    logFile: path.join(dir, 'nats.log'),
  });
  await weir.stopWorker();
  const ownNats = await WeirSystem.start({ env: { NATS_URL: nats.address, ...natsAuthEnv(natsAuth) } });
  try {
    await ownNats.request('POST', '/api/v1/pipeline', {
      pipeline_id: id,
      name: 'NATS outage during stop',
      components: [
        { name: 'source', image: 'busybox:latest', command: ['sleep', '3600'], output: 'raw' },
        { name: 'sink', image: 'busybox:latest', command: ['sleep', '3600'], input: 'raw' },
      ],
    });
    await ownNats.healthReaches(id, 'Running');
    await nats.stop();

    expect((await ownNats.request('POST', `/api/v1/pipeline/${id}/stop`)).status).toBe(204);
    const failed = await ownNats.healthReaches(id, 'Failed');
    expect(failed.body.failure).toMatchObject({ operation: 'stop', component: 'sink', attempts: 3 });
    expect(failed.body.failure.error).toContain(
      `NATS at ${nats.address} is unreachable: reading consumer sink of stream weir_${id}_raw failed`,
    );
  } finally {
    await ownNats.close();
    await nats.stop();
    await rm(dir, { recursive: true, force: true });
    await weir.startWorker();
  }

  await weir.request('POST', `/api/v1/pipeline/${id}/terminate`);
  await weir.healthReaches(id, 'Stopped');
  expect((await weir.request('DELETE', `/api/v1/pipeline/${id}`)).status).toBe(204);
  expect(await weir.leftovers(id)).toEqual({ containers: 0, networks: 0, volumes: 0 });
});
