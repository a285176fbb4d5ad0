import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { workflowIdFor } from '../pipeline/names';

const { PendingActivityState } = temporal.api.enums.v1;

/**
 * The identity of the worker that runs the pipeline's watch now (the SDK's default is pid@host), from describe;
 * undefined while no worker runs it, such as between a dead worker's last heartbeat and the next attempt.
 */
export async function watchHolder(client: Client, pipelineId: string): Promise<string | undefined> {
  const { raw } = await client.workflow.getHandle(workflowIdFor(pipelineId)).describe();
  const watch = raw.pendingActivities?.find(({ activityType }) => activityType?.name === 'watchPipeline');
  return watch?.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED ? (watch.lastWorkerIdentity ?? undefined) : undefined;
}
