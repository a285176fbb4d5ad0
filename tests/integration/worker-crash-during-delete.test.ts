import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { temporal } from '@temporalio/proto';
import { workflowIdFor } from '../../pipeline/names';
import { eventually } from '../../harness/eventually';
import { WeirSystem } from '../../harness/weir-system';
import { startWorkerProcess } from '../../harness/worker-process';
import { newPipelineId } from '../support/test-ids';

const { PendingActivityState, TimeoutType } = temporal.api.enums.v1;

let weir: WeirSystem;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  weir = await WeirSystem.start();
  // Only worker processes serve the pipeline, so the test can kill the one that runs the removal.
  await weir.stopWorker();
});

afterAll(async () => {
  for (const worker of workers.filter((child) => child.exitCode === null && child.signalCode === null)) {
    worker.kill('SIGTERM');
    await once(worker, 'exit');
  }
  await weir.close();
});

async function workerProcess(): Promise<ChildProcess> {
  const worker = await startWorkerProcess();
  workers.push(worker);
  return worker;
}

test('a delete whose worker is killed during the removal is finished by a new worker, and answers within seconds', async () => {
  const id = newPipelineId('crashdel');
  const doomed = await workerProcess();
  const replicas = 10;
  const created = await weir.request('POST', '/api/v1/pipeline', {
    pipeline_id: id,
    name: 'Removal outlives its worker',
    components: ['left', 'right'].map((name) => ({ name, image: 'busybox:latest', command: ['sleep', '3600'], replicas })),
  });
  expect(created.status).toBe(201);
  await weir.healthReaches(id, 'Running');
  expect((await weir.request('POST', `/api/v1/pipeline/${id}/terminate`)).status).toBe(204);
  await weir.healthReaches(id, 'Stopped');
  expect((await weir.containers(id)).size).toBe(2 * replicas);

  const handle = weir.client.workflow.getHandle(workflowIdFor(id));
  const startedAt = Date.now();
  const deleting = weir.request('DELETE', `/api/v1/pipeline/${id}`);
  await eventually(
    () => handle.describe(),
    ({ raw }) =>
      raw.pendingActivities?.some(
        (activity) =>
          activity.activityType?.name === 'removePipeline' && activity.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
      ) ?? false,
    30_000,
    10,
  );
  doomed.kill('SIGKILL');
  await workerProcess();

  const answer = await deleting;
  const deleteMs = Date.now() - startedAt;
  console.log(`DELETE answered ${answer.status} after ${deleteMs} ms, its worker killed during the removal`);
  expect(answer.status).toBe(204);
  expect(deleteMs).toBeLessThan(45_000);
  expect(await weir.leftovers(id)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  expect((await weir.request('GET', `/api/v1/pipeline/${id}`)).status).toBe(404);

  // The kill did hit the removal: its last attempt started after the first one missed its heartbeats.
  const history = await handle.fetchHistory();
  const removals = (history.events ?? []).filter(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'removePipeline',
  );
  expect(removals).toHaveLength(1);
  const removalStarted = (history.events ?? []).find(
    (event) => event.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === removals[0].eventId?.toString(),
  )?.activityTaskStartedEventAttributes;
  expect(removalStarted?.attempt).toBeGreaterThanOrEqual(2);
  expect(removalStarted?.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
});
