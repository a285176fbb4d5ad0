import type { WeirSystem } from '../harness/weir-system';
import type { IdleParameters } from './idle-parameters';
import { messageOf, progress } from './progress';
import { createPipeline, deletePipelines, statusCounts } from './weir-api';
import { forEachConcurrently, pause } from './waiting';
import { idleWindow, startMeasuredWorker, type IdleWindow } from './worker-process-usage';

export interface IdleCostResult {
  pipelines: number;
  /** From the first create until every pipeline was Running. */
  populateMs: number;
  /** The same worker before any pipeline existed. */
  empty: IdleWindow;
  running: IdleWindow;
}

const COUNT_POLL_MS = 1000;
const PROGRESS_EVERY_MS = 15_000;

/**
 * The idle cost of `pipelineIds.length` Running pipelines on one worker in a process of its own: its CPU and memory,
 * the Temporal server's CPU and the worker's calls to Temporal, first with no pipeline, then with all of them Running.
 */
export async function measureIdleCost(
  system: WeirSystem,
  temporalPid: number,
  pipelineIds: string[],
  parameters: IdleParameters,
  workerEnv: Record<string, string>,
): Promise<IdleCostResult> {
  await system.stopWorker();
  const worker = await startMeasuredWorker({ ...workerEnv, WEIR_WORKER_MAX_ACTIVITIES: String(activitySlotsFor(pipelineIds.length)) });
  try {
    progress(`idle: the empty worker for ${parameters.idleWindowMs / 1000} s`);
    const empty = await idleWindow(worker, temporalPid, parameters.idleWindowMs);
    const populateMs = await populate(system, pipelineIds, parameters);
    progress(
      `idle: ${pipelineIds.length} Running; resting ${parameters.idleSettleMs / 1000} s, then measuring for ${parameters.idleWindowMs / 1000} s`,
    );
    await pause(parameters.idleSettleMs);
    const running = await idleWindow(worker, temporalPid, parameters.idleWindowMs);
    return { pipelines: pipelineIds.length, populateMs, empty, running };
  } finally {
    progress(`deleting the ${pipelineIds.length} idle-cost pipelines`);
    await deletePipelines(system, pipelineIds, parameters.commandConcurrency);
    await worker.stop();
    await system.startWorker();
  }
}

/** Every Running pipeline holds one watch; the rest are for the commands that come and go. */
export function activitySlotsFor(pipelines: number): number {
  return Math.max(1000, pipelines + 100);
}

/**
 * Creates the pipelines in waves, each Running before the next is created, and returns how long that took; throws
 * once one has Failed. A wave bounds the readiness waits in flight, which look and heartbeat every second or two:
 * thousands at once would measure the ramp, not the idle cost.
 */
export async function populate(system: WeirSystem, pipelineIds: string[], parameters: IdleParameters): Promise<number> {
  const started = performance.now();
  progress(`creating ${pipelineIds.length} pipelines, ${parameters.populateWave} at a time`);
  let lastReport = started;
  for (let from = 0; from < pipelineIds.length; from += parameters.populateWave) {
    const wave = pipelineIds.slice(from, from + parameters.populateWave);
    const failures = await forEachConcurrently(wave, parameters.commandConcurrency, (pipelineId) => createPipeline(system, pipelineId));
    if (failures.length > 0) throw new Error(`${failures.length} creates failed; first: ${messageOf(failures[0])}`);
    await allRunning(system, new Set(wave), started, parameters);
    if (performance.now() - lastReport >= PROGRESS_EVERY_MS) {
      progress(`population: ${from + wave.length} of ${pipelineIds.length} Running`);
      lastReport = performance.now();
    }
  }
  return performance.now() - started;
}

async function allRunning(system: WeirSystem, wanted: ReadonlySet<string>, started: number, parameters: IdleParameters): Promise<void> {
  for (;;) {
    const counts = await statusCounts(system, wanted);
    if ((counts.get('Running') ?? 0) === wanted.size) return;
    if (counts.has('Failed')) throw new Error(`${counts.get('Failed')} pipelines failed on the way to Running`);
    if (performance.now() - started > parameters.populateBudgetMs) {
      throw new Error(`not all Running within ${parameters.populateBudgetMs / 1000} s: ${JSON.stringify([...counts])}`);
    }
    await pause(COUNT_POLL_MS);
  }
}
