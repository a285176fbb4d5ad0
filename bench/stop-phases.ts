import { temporal } from '@temporalio/proto';
import type { WeirSystem } from '../harness/weir-system';
import { workflowIdFor } from '../pipeline/names';

const { EventType } = temporal.api.enums.v1;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Where one stop's time went, from its workflow's history, in ms; what is left of the total is the wait's answer. */
export interface StopPhases {
  /** From sending the stop until the workflow accepted it, as the workflow task that ran the update completed. */
  acceptMs: number;
  /** From there until the drain activity started on the worker. */
  dispatchMs: number;
  /** The drain activity, from started to completed: for a pipeline without streams, the Docker stop. */
  activityMs: number;
  /** From the activity's completion until the workflow task that recorded Stopped completed. */
  recordMs: number;
}

/** The phases of the stop sent at `sentAtMs` (epoch ms); the bench and the server share this machine's clock. */
export async function stopPhasesOf(system: WeirSystem, pipelineId: string, sentAtMs: number): Promise<StopPhases> {
  const events = (await system.client.workflow.getHandle(workflowIdFor(pipelineId)).fetchHistory()).events ?? [];
  const after = (from: HistoryEvent | undefined, matches: (event: HistoryEvent) => boolean, what: string): HistoryEvent => {
    const found = events.find((event) => Number(event.eventId) > Number(from?.eventId ?? 0) && timeOf(event) >= sentAtMs && matches(event));
    if (!found) throw new Error(`the history of ${pipelineId} has no ${what} after the stop`);
    return found;
  };
  const accepted = after(
    undefined,
    (event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    'accepted update',
  );
  const scheduled = after(
    accepted,
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'drainPipeline',
    'drain activity',
  );
  const ofDrain = (event: HistoryEvent) =>
    Number(event.activityTaskStartedEventAttributes?.scheduledEventId ?? event.activityTaskCompletedEventAttributes?.scheduledEventId) ===
    Number(scheduled.eventId);
  const started = after(
    scheduled,
    (event) => event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED && ofDrain(event),
    'drain start',
  );
  const completed = after(
    scheduled,
    (event) => event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED && ofDrain(event),
    'drain completion',
  );
  const recorded = after(completed, (event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, 'workflow task');
  return {
    acceptMs: timeOf(accepted) - sentAtMs,
    dispatchMs: timeOf(started) - timeOf(accepted),
    activityMs: timeOf(completed) - timeOf(started),
    recordMs: timeOf(recorded) - timeOf(completed),
  };
}

function timeOf(event: HistoryEvent): number {
  const { seconds, nanos } = event.eventTime ?? {};
  return Number(seconds ?? 0) * 1000 + (nanos ?? 0) / 1e6;
}
