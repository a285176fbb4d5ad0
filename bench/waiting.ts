import { setTimeout as sleep } from 'node:timers/promises';

const interruption = new AbortController();

/** Makes Ctrl-C or SIGTERM end the run early, so it can still clean up; a second one ends the process at once. */
export function interruptOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => interruption.abort(new Error(`interrupted by ${signal}`)));
  }
}

export function isInterrupted(): boolean {
  return interruption.signal.aborted;
}

/** Waits; rejects at once when the run is interrupted. */
export function pause(ms: number): Promise<void> {
  return sleep(Math.max(0, ms), undefined, { signal: interruption.signal });
}

/** Rejects when `work` takes longer than `ms`; the work itself is left to finish on its own. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long `work` takes, in milliseconds. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/**
 * Runs `work` on every item with at most `limit` at a time; resolves with the errors, one per failed item.
 * An interruption starts no further items and rejects once those under way have finished.
 */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<unknown[]> {
  const errors: unknown[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length && !isInterrupted()) {
      const item = items[next++];
      await work(item).catch((error: unknown) => errors.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  interruption.signal.throwIfAborted();
  return errors;
}

/** Looks every `pollMs` until `done` holds for what `look` finds, and returns that; throws after `timeoutMs`. */
export async function pollUntil<T>(
  look: () => Promise<T>,
  done: (found: T) => boolean,
  pollMs: number,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await look();
    if (done(found)) return found;
    if (Date.now() >= deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await pause(pollMs);
  }
}
