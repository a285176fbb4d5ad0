import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { workflowIdFor } from '../pipeline/names';

const { PendingActivityState } = temporal.api.enums.v1;

/** The attempt of a pipeline's watch that a worker runs now; both undefined while no worker runs it. */
export interface WatchAttempt {
  /** The worker's identity (the SDK's default is pid@host). */
  holder?: string;
  /** When the server handed this attempt to its worker, in ms since the epoch. */
  startedAtMs?: number;
}

/**
 * The watch attempt of a pipeline, from describe: none runs between a dead worker's last heartbeat and the next
 * attempt.
 */
export async function watchAttempt(client: Client, pipelineId: string): Promise<WatchAttempt> {
  const { raw } = await client.workflow.getHandle(workflowIdFor(pipelineId)).describe();
  const watch = raw.pendingActivities?.find(({ activityType }) => activityType?.name === 'watchPipeline');
  if (watch?.state !== PendingActivityState.PENDING_ACTIVITY_STATE_STARTED) return {};
  return { holder: watch.lastWorkerIdentity ?? undefined, startedAtMs: optionalTsToMs(watch.lastStartedTime) };
}

/** The identity of the worker that runs the pipeline's watch now; undefined while none does. */
export async function watchHolder(client: Client, pipelineId: string): Promise<string | undefined> {
  return (await watchAttempt(client, pipelineId)).holder;
}
