import type { PipelineView, TransitionRecord } from '../pipeline/pipeline-view';
import { isSettled, type PipelineStatus } from '../pipeline/status-machine';

/** One stay in a transient status that has ended: how it ended and how long it lasted, by the workflow's clock. */
export interface TransientStay {
  status: PipelineStatus;
  /** The status it moved on to, or gone when a delete completed. */
  next: PipelineStatus | 'gone';
  seconds: number;
}

/**
 * The stays in transient statuses that the records after `afterSeq` end. Times come from the ledger, so a stay is
 * measured from the moment the workflow entered the status, whenever the API came to know of it.
 */
export function staysEndedBy(view: PipelineView, afterSeq: number): TransientStay[] {
  const applied = view.transitions.filter((record) => record.outcome === 'applied');
  return applied.flatMap((record, index) => {
    if (record.seq <= afterSeq || isSettled(record.from)) return [];
    const entered = enteredAt(record.from, applied.slice(0, index), view.created_at);
    return entered === undefined ? [] : [{ status: record.from, next: record.to, seconds: secondsBetween(entered, record.at) }];
  });
}

/** The stay in Deleting that the end of the workflow closes, at `endedAt`. */
export function deletionStay(view: PipelineView, endedAt: Date): TransientStay | undefined {
  if (view.overall_status !== 'Deleting') return undefined;
  const entered = enteredAt(
    'Deleting',
    view.transitions.filter((record) => record.outcome === 'applied'),
    view.created_at,
  );
  return entered === undefined ? undefined : { status: 'Deleting', next: 'gone', seconds: secondsBetween(entered, endedAt.toISOString()) };
}

/** When the pipeline last entered `status` before the records that follow `earlier`; undefined when the kept history no longer says. */
function enteredAt(status: PipelineStatus, earlier: TransitionRecord[], createdAt: string): string | undefined {
  for (let index = earlier.length - 1; index >= 0; index -= 1) if (earlier[index].to === status) return earlier[index].at;
  // Only creation enters Created, and no record marks it; a history trimmed to its limit may have lost any other entry.
  return status === 'Created' ? createdAt : undefined;
}

function secondsBetween(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}
