import { ActivityFailure, ApplicationFailure, RetryState, TemporalFailure, TimeoutFailure } from '@temporalio/common';
import type { ActivityFailureDetails } from '../pipeline/activity-failure-details';
import type { FailureReason } from '../pipeline/pipeline-view';

/** Turns the error of a failed operation into the reason a pipeline shows while Failed. */
export function failureReasonOf(operation: string, error: unknown, maxAttempts: number, now: string): FailureReason {
  const activityFailure = error instanceof ActivityFailure ? error : undefined;
  const cause = activityFailure?.cause ?? error;
  const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as ActivityFailureDetails | undefined) : undefined;
  const exhausted = activityFailure?.retryState === RetryState.MAXIMUM_ATTEMPTS_REACHED;
  return {
    operation,
    component: details?.component ?? null,
    error: messageOf(cause),
    attempts: details?.attempt ?? (exhausted ? maxAttempts : null),
    at: now,
  };
}

function messageOf(error: unknown): string {
  if (error instanceof TimeoutFailure) return `timed out (${(error.timeoutType ?? 'unspecified').toLowerCase().replace(/_/g, ' ')})`;
  if (error instanceof TemporalFailure || error instanceof Error) return error.message;
  return String(error);
}
