import { ApiError } from './api-error';

/** A Temporal call as a timeout names it. */
export interface TimedCall {
  /** What was waited for, as a phrase: "starting pipeline orders-etl". */
  what: string;
  /** When it must have answered, in epoch ms. */
  deadline: number;
  /** How long it had in all, for the message. */
  budgetMs: number;
  /** Whether the request may be retried with the same X-Request-Id to pick up where it left off. */
  resumable?: boolean;
}

export function timedCall(what: string, budgetMs: number, resumable = false): TimedCall {
  return { what, deadline: Date.now() + budgetMs, budgetMs, resumable };
}

/** Settles as `work` does, or rejects with the call's timeout error once its deadline passes. */
export async function withinDeadline<T>(work: Promise<T>, call: TimedCall): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(call)), Math.max(0, call.deadline - Date.now()));
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** The 503 of a call that ran out of time. */
export function timeoutError(call: TimedCall): ApiError {
  const hint = call.resumable ? '; retry with the same X-Request-Id' : '';
  return new ApiError('UNAVAILABLE', `${call.what} timed out after ${Number((call.budgetMs / 1000).toFixed(1))} s${hint}`);
}
