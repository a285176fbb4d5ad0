import type { WeirSystem } from '../harness/weir-system';
import type { IdleParameters } from './idle-parameters';
import { messageOf, progress } from './progress';
import { createPipeline, deletePipelines, healthOf, statusCounts } from './weir-api';
import { forEachConcurrently, pause } from './waiting';
import { idleWindow, startMeasuredWorker, type IdleWindow } from './worker-process-usage';

export interface IdleCostResult {
  /** Those that reached Running. */
  pipelines: number;
  /** From the first create until every pipeline was Running. */
  populateMs: number;
  /** The same worker before any pipeline existed. */
  empty: IdleWindow;
  running: IdleWindow;
}

const COUNT_POLL_MS = 1000;
const CREATE_ATTEMPTS = 10;
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
    const { populateMs, running: pipelines } = await populate(system, pipelineIds, parameters);
    progress(
      `idle: ${pipelines} Running; resting ${parameters.idleSettleMs / 1000} s, then measuring for ${parameters.idleWindowMs / 1000} s`,
    );
    await pause(parameters.idleSettleMs);
    const running = await idleWindow(worker, temporalPid, parameters.idleWindowMs);
    return { pipelines, populateMs, empty, running };
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
 * Creates the pipelines in waves, each settled before the next is created: a wave bounds the readiness waits in
 * flight, which look and heartbeat every second or two; thousands at once would measure the ramp, not the idle cost.
 * Returns how long that took and how many reached Running: on a loaded machine a deploy can fail, and the pipelines
 * left Failed hold no watch.
 */
export async function populate(
  system: WeirSystem,
  pipelineIds: string[],
  parameters: IdleParameters,
): Promise<{ populateMs: number; running: number }> {
  const started = performance.now();
  progress(`creating ${pipelineIds.length} pipelines, ${parameters.populateWave} at a time`);
  let lastReport = started;
  let running = 0;
  for (let from = 0; from < pipelineIds.length; from += parameters.populateWave) {
    const wave = pipelineIds.slice(from, from + parameters.populateWave);
    const failures = await forEachConcurrently(wave, parameters.commandConcurrency, (pipelineId) => createSurely(system, pipelineId));
    if (failures.length > 0) throw new Error(`${failures.length} creates failed; first: ${messageOf(failures[0])}`);
    running += await settle(system, new Set(wave), started, parameters);
    if (performance.now() - lastReport >= PROGRESS_EVERY_MS) {
      progress(`population: ${running} of ${from + wave.length} Running`);
      lastReport = performance.now();
    }
  }
  if (running < pipelineIds.length) progress(`${pipelineIds.length - running} pipelines failed on the way to Running`);
  return { populateMs: performance.now() - started, running };
}

/** A create whose answer was lost on the way may still have been made: it is tried again only if it was not. */
async function createSurely(system: WeirSystem, pipelineId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createPipeline(system, pipelineId);
    } catch (error) {
      if (attempt === CREATE_ATTEMPTS) throw error;
      await pause(1000);
      if (await healthOf(system, pipelineId).catch(() => undefined)) return;
    }
  }
}

/** Waits until each pipeline is Running or Failed; returns how many are Running. */
async function settle(system: WeirSystem, wanted: ReadonlySet<string>, started: number, parameters: IdleParameters): Promise<number> {
  for (;;) {
    const counts = await statusCounts(system, wanted);
    const running = counts.get('Running') ?? 0;
    if (running + (counts.get('Failed') ?? 0) === wanted.size) return running;
    if (performance.now() - started > parameters.populateBudgetMs) {
      throw new Error(`not all Running within ${parameters.populateBudgetMs / 1000} s: ${JSON.stringify([...counts])}`);
    }
    await pause(COUNT_POLL_MS);
  }
}
