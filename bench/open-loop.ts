import { messageOf } from './progress';
import { percentile } from './stats';
import { pause, withTimeout } from './waiting';

export interface OpenLoopSchedule {
  ratePerSecond: number;
  durationMs: number;
}

export interface OpenLoopRun {
  latenciesMs: number[];
  failures: string[];
}

export interface LatencySummary {
  calls: number;
  failures: number;
  p50Ms: number;
  p99Ms: number;
  firstFailure?: string;
}

const CALL_TIMEOUT_MS = 10_000;

/**
 * Starts call number i at start + i / rate whether or not earlier calls have answered, and times each from its
 * scheduled start, so a slow answer delays no later call and hides no queueing (no coordinated omission).
 */
export async function runOpenLoop(schedule: OpenLoopSchedule, call: () => Promise<unknown>): Promise<OpenLoopRun> {
  const count = Math.round((schedule.ratePerSecond * schedule.durationMs) / 1000);
  const intervalMs = 1000 / schedule.ratePerSecond;
  const start = performance.now();
  const run: OpenLoopRun = { latenciesMs: [], failures: [] };
  const inFlight: Array<Promise<void>> = [];
  for (let index = 0; index < count; index++) {
    const scheduledAt = start + index * intervalMs;
    await pause(scheduledAt - performance.now());
    inFlight.push(
      withTimeout(call(), CALL_TIMEOUT_MS, `call ${index}`).then(
        () => void run.latenciesMs.push(performance.now() - scheduledAt),
        (error: unknown) => void run.failures.push(messageOf(error)),
      ),
    );
  }
  await Promise.all(inFlight);
  return run;
}

export function summarize(runs: OpenLoopRun[]): LatencySummary {
  const latencies = runs.flatMap((run) => run.latenciesMs);
  const failures = runs.flatMap((run) => run.failures);
  return {
    calls: latencies.length + failures.length,
    failures: failures.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    firstFailure: failures[0],
  };
}
