import { Context } from '@temporalio/activity';

/** How often an activity without progress of its own to report heartbeats: well inside the workflow's heartbeat timeout. */
export const HEARTBEAT_INTERVAL_MS = 2000;

/**
 * Runs `operation`, heartbeating at once and then every `intervalMs` until it settles. An activity that heartbeats
 * can have a heartbeat timeout of seconds, so when its worker dies, Temporal retries it elsewhere within seconds
 * instead of waiting out its start-to-close timeout.
 */
export async function heartbeatingWhile<T>(operation: () => Promise<T>, intervalMs = HEARTBEAT_INTERVAL_MS): Promise<T> {
  const context = Context.current();
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), intervalMs);
  try {
    return await operation();
  } finally {
    clearInterval(timer);
  }
}
