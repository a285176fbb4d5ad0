import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type Docker from 'dockerode';
import { temporal } from '@temporalio/proto';
import { pollUntil, timed } from '../waiting';
import { createFloorActivities } from './floor-activities';
import { stopFloorWorkflow, stopUpdate } from './floor-workflow';

const TASK_QUEUE = 'bench-temporal-floor';
const FIRST_TASK_POLL_MS = 20;
const FIRST_TASK_TIMEOUT_MS = 30_000;
const { EventType } = temporal.api.enums.v1;

/**
 * A worker of the bare stop workflow, beside Weir's, on the same server: what the design's Temporal steps alone cost.
 * The workflow is bundled as Weir's is, so its tasks run in the same sandbox.
 */
export class TemporalFloor {
  private constructor(
    private readonly client: Client,
    private readonly worker: Worker,
    private readonly running: Promise<void>,
    private readonly connections: { native: NativeConnection; client: Connection },
  ) {}

  static async start(address: string, docker: Docker, graceSeconds: number): Promise<TemporalFloor> {
    const native = await NativeConnection.connect({ address });
    const worker = await Worker.create({
      connection: native,
      taskQueue: TASK_QUEUE,
      workflowsPath: require.resolve('./floor-workflow'),
      activities: createFloorActivities(docker, graceSeconds),
    });
    const running = worker.run();
    const connection = await Connection.connect({ address });
    return new TemporalFloor(new Client({ connection }), worker, running, { native, client: connection });
  }

  /** Stops the running container through the bare workflow: from sending the update until it completes, in ms. */
  async timeStop(runId: string, containerId: string): Promise<number> {
    const handle = await this.client.workflow.start(stopFloorWorkflow, { taskQueue: TASK_QUEUE, workflowId: `bench-floor-${runId}` });
    // The first workflow task runs before the clock starts, as Weir's pipeline is long since running when it is stopped.
    await pollUntil(
      () => handle.fetchHistory(),
      ({ events }) => (events ?? []).some(({ eventType }) => eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
      FIRST_TASK_POLL_MS,
      FIRST_TASK_TIMEOUT_MS,
      `the first workflow task of ${handle.workflowId}`,
    );
    const stopMs = await timed(() => handle.executeUpdate(stopUpdate, { args: [containerId] }));
    await handle.result();
    return stopMs;
  }

  async close(): Promise<void> {
    this.worker.shutdown();
    await this.running;
    await this.connections.client.close();
    await this.connections.native.close();
  }
}
