import { temporal } from '@temporalio/proto';

const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Events that end a run for good: the pipeline is gone (deleted, or its workflow ended some other way). */
const FINAL_EVENTS = new Set<temporal.api.enums.v1.EventType>([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
]);

/** What a page of a run's history says about the pipeline's ledger. */
export interface HistoryNews {
  /** The ledger may hold new records: a transition was announced, or a signal (perhaps refused) was handled. */
  ledgerMayHaveChanged: boolean;
  /** The run continued as new, in this run. */
  continuedAsNew?: string;
  /** The run ended and no run follows it: when. */
  endedAt?: Date;
  /** A signal arrived whose workflow task has not completed yet, so the next page must look again. */
  signalPending: boolean;
}

/**
 * Reads a page of history events. Every transition the workflow announces upserts the PipelineStatus search attribute,
 * so that event marks a new ledger record; a signal the workflow refuses is recorded without one, once the workflow
 * task after the signal completes. A new run after continue-as-new carries the same ledger on, so it is no news.
 */
export function historyNews(events: HistoryEvent[], signalPending: boolean): HistoryNews {
  let ledgerMayHaveChanged = false;
  let pending = signalPending;
  let continuedAsNew: string | undefined;
  let endedAt: Date | undefined;
  for (const event of events) {
    const type = event.eventType;
    if (type === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) pending = true;
    else if (type === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && pending) {
      pending = false;
      ledgerMayHaveChanged = true;
    } else if (type === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES) {
      ledgerMayHaveChanged = true;
    } else if (type === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW) {
      continuedAsNew = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    } else if (type !== null && type !== undefined && FINAL_EVENTS.has(type)) {
      endedAt = timeOf(event);
    }
  }
  return {
    ledgerMayHaveChanged,
    signalPending: pending,
    ...(continuedAsNew ? { continuedAsNew } : {}),
    ...(endedAt ? { endedAt } : {}),
  };
}

function timeOf(event: HistoryEvent): Date {
  const seconds = Number(event.eventTime?.seconds ?? 0);
  const nanos = event.eventTime?.nanos ?? 0;
  return seconds > 0 ? new Date(seconds * 1000 + Math.floor(nanos / 1_000_000)) : new Date();
}
