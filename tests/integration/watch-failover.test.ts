import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { eventually } from '../../harness/eventually';
import { watchHolder } from '../../harness/watch-holders';
import { WeirSystem } from '../../harness/weir-system';
import { WATCH_HEARTBEAT_TIMEOUT_SECONDS } from '../../workflows/operations';
import { newPipelineId } from '../support/test-ids';
import { startWorkerProcess } from '../../harness/worker-process';

let weir: WeirSystem;
const workers: ChildProcess[] = [];
const PIPELINES = 4;
/** A retried watch starts after the heartbeat timeout and the first retry interval; the rest is a loaded machine. */
const MOVE_BUDGET_MS = (WATCH_HEARTBEAT_TIMEOUT_SECONDS + 30) * 1000;

beforeAll(async () => {
  // Commands wait for the one worker left, on a machine that may be loaded.
  weir = await WeirSystem.start({ env: { WEIR_UPDATE_TIMEOUT_MS: '10000' } });
  // Only the two worker processes serve the pipelines, so the test can kill one of them outright.
  await weir.stopWorker();
  workers.push(...(await Promise.all([startWorkerProcess(), startWorkerProcess()])));
}, 240_000);

afterAll(async () => {
  // The pipelines are removed through whichever worker is still alive, before it stops.
  await weir.close();
  for (const worker of workers.filter((child) => child.exitCode === null && child.signalCode === null)) {
    worker.kill('SIGTERM');
    await once(worker, 'exit');
  }
});

const identityOf = (worker: ChildProcess) => `${worker.pid}@${os.hostname()}`;

test('a worker killed with SIGKILL hands its watches to the other, which still catches a failure from while none watched', async () => {
  const ids = Array.from({ length: PIPELINES }, () => newPipelineId('failover'));
  for (const id of ids) {
    weir.removeAtClose(id);
    const created = await weir.request('POST', '/api/v1/pipeline', {
      pipeline_id: id,
      name: 'Watched by one of two workers',
      components: [{ name: 'sleeper', image: 'busybox:latest', command: ['sleep', '3600'] }],
    });
    expect(created.status).toBe(201);
  }
  for (const id of ids) await weir.healthReaches(id, 'Running');
  const holders = await eventually(
    () => Promise.all(ids.map((id) => watchHolder(weir.client, id))),
    (found) => found.every((holder) => holder !== undefined),
    30_000,
  );
  // The worker holding the most watches dies; the pipelines it watched are the ones that must move.
  const held = (worker: ChildProcess) => holders.filter((holder) => holder === identityOf(worker)).length;
  const [doomed, survivor] = held(workers[0]) >= held(workers[1]) ? workers : [workers[1], workers[0]];
  const moving = ids.filter((_, index) => holders[index] === identityOf(doomed));
  expect(moving.length).toBeGreaterThan(0);
  expect(held(doomed) + held(survivor)).toBe(PIPELINES);

  doomed.kill('SIGKILL');
  await once(doomed, 'exit');
  const killedAt = Date.now();
  // A component dies while no worker watches its pipeline.
  const [victim] = moving;
  await weir.docker.getContainer(`weir-${victim}-sleeper-0`).remove({ force: true });

  // Health answers from Temporal meanwhile, with the status and the components of the last heartbeat.
  const meanwhile = await weir.request('GET', `/api/v1/pipeline/${victim}/health`);
  expect(meanwhile.status).toBe(200);
  expect(meanwhile.body).toMatchObject({ overall_status: 'Running', components: [{ name: 'sleeper', state: 'running' }] });

  const failed = await weir.healthReaches(victim, 'Failed', MOVE_BUDGET_MS);
  const detectedMs = Date.now() - killedAt;
  expect(failed.body.failure).toMatchObject({ operation: 'monitor', component: 'sleeper' });
  expect(failed.body.components).toEqual([expect.objectContaining({ name: 'sleeper', state: 'failed' })]);

  const others = ids.filter((id) => id !== victim);
  const movedTo = await eventually(
    () => Promise.all(others.map((id) => watchHolder(weir.client, id))),
    (found) => found.every((holder) => holder === identityOf(survivor)),
    MOVE_BUDGET_MS - (Date.now() - killedAt),
  );
  const movedMs = Date.now() - killedAt;
  console.log(
    `${moving.length} of ${PIPELINES} watches were on the killed worker; the failure was caught ${detectedMs} ms after the kill, every watch ran on the other worker after ${movedMs} ms`,
  );
  expect(movedTo).toHaveLength(others.length);
  for (const id of others) expect((await weir.request('GET', `/api/v1/pipeline/${id}/health`)).body.overall_status).toBe('Running');
}, 300_000);
