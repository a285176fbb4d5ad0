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

const COUNT_POLL_MS = 2000;
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

/** Creates the pipelines and waits until all are Running; returns how long that took. Throws once one has Failed. */
export async function populate(system: WeirSystem, pipelineIds: string[], parameters: IdleParameters): Promise<number> {
  const started = performance.now();
  progress(`creating ${pipelineIds.length} pipelines`);
  const failures = await forEachConcurrently(pipelineIds, parameters.commandConcurrency, (pipelineId) =>
    createPipeline(system, pipelineId),
  );
  if (failures.length > 0) throw new Error(`${failures.length} creates failed; first: ${messageOf(failures[0])}`);
  const wanted = new Set(pipelineIds);
  let lastReport = performance.now();
  for (;;) {
    const counts = await statusCounts(system, wanted);
    if ((counts.get('Running') ?? 0) === wanted.size) return performance.now() - started;
    if (counts.has('Failed')) throw new Error(`${counts.get('Failed')} pipelines failed on the way to Running`);
    if (performance.now() - started > parameters.populateBudgetMs) {
      throw new Error(`not all Running within ${parameters.populateBudgetMs / 1000} s: ${JSON.stringify([...counts])}`);
    }
    if (performance.now() - lastReport >= PROGRESS_EVERY_MS) {
      progress(`population: ${[...counts].map(([status, count]) => `${count} ${status}`).join(', ')}`);
      lastReport = performance.now();
    }
    await pause(COUNT_POLL_MS);
  }
}
