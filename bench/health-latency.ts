import type { WeirSystem } from '../harness/weir-system';
import { workflowIdFor } from '../pipeline/names';
import type { PipelineStatus } from '../pipeline/status-machine';
import { runOpenLoop, summarize, type LatencySummary, type OpenLoopRun } from './open-loop';
import type { BenchParameters } from './parameters';
import { messageOf, progress } from './progress';
import { createPipeline, deletePipelines, healthOf, sendCommand, statusCounts } from './weir-api';
import { forEachConcurrently, pause } from './waiting';

export interface HealthLatencyResult {
  /** The status every pipeline of the population had while health was measured. */
  populationStatus: 'Running' | 'Stopped';
  /** From the first create until the whole population had that status. */
  populationSettleMs: number;
  health: LatencySummary;
  /** The same rate of bare describe calls: the Temporal round trip the health endpoint is built on. */
  describeFloor: LatencySummary;
}

const COUNT_POLL_MS = 1000;
const PROGRESS_EVERY_MS = 10_000;
const TERMINATE_BUDGET_MS = 60_000;

/** Health latency while `pipelineIds.length` pipelines exist, against describe at the same rate; deletes them after. */
export async function measureHealthLatency(
  system: WeirSystem,
  pipelineIds: string[],
  parameters: BenchParameters,
): Promise<HealthLatencyResult> {
  try {
    const settled = await populate(system, pipelineIds, parameters);
    const health = roundRobin(pipelineIds, (pipelineId) => expectHealth(system, pipelineId));
    const describe = roundRobin(pipelineIds, (pipelineId) => system.client.workflow.getHandle(workflowIdFor(pipelineId)).describe());
    const rate = parameters.healthRatePerSecond;
    await runOpenLoop({ ratePerSecond: rate, durationMs: parameters.warmupDurationMs }, health);
    await runOpenLoop({ ratePerSecond: rate, durationMs: parameters.warmupDurationMs }, describe);
    progress(`health and describe: ${rate} req/s for ${parameters.healthDurationMs / 1000} s each, in alternating blocks`);
    const block = { ratePerSecond: rate, durationMs: parameters.healthDurationMs / parameters.healthBlocks };
    const healthRuns: OpenLoopRun[] = [];
    const describeRuns: OpenLoopRun[] = [];
    for (let index = 0; index < parameters.healthBlocks; index++) {
      healthRuns.push(await runOpenLoop(block, health));
      describeRuns.push(await runOpenLoop(block, describe));
    }
    return { ...settled, health: summarize(healthRuns), describeFloor: summarize(describeRuns) };
  } finally {
    progress(`deleting the ${pipelineIds.length} pipelines`);
    await deletePipelines(system, pipelineIds, parameters.commandConcurrency);
  }
}

/** A call that takes the next pipeline id each time, round-robin. */
function roundRobin(pipelineIds: string[], call: (pipelineId: string) => Promise<unknown>): () => Promise<unknown> {
  let next = 0;
  return () => call(pipelineIds[next++ % pipelineIds.length]);
}

async function expectHealth(system: WeirSystem, pipelineId: string): Promise<void> {
  if (!(await healthOf(system, pipelineId))) throw new Error(`${pipelineId} is gone`);
}

/** Creates the population and waits until all of it is Running, or, past the budget, terminates it and waits for Stopped. */
async function populate(
  system: WeirSystem,
  pipelineIds: string[],
  parameters: BenchParameters,
): Promise<Pick<HealthLatencyResult, 'populationStatus' | 'populationSettleMs'>> {
  const started = performance.now();
  progress(`creating ${pipelineIds.length} pipelines`);
  const failures = await forEachConcurrently(pipelineIds, parameters.commandConcurrency, (pipelineId) =>
    createPipeline(system, pipelineId),
  );
  if (failures.length > 0) throw new Error(`${failures.length} creates failed; first: ${messageOf(failures[0])}`);
  const settleMs = () => performance.now() - started;

  if (await allReach(system, pipelineIds, 'Running', parameters.populationSettleBudgetMs - settleMs())) {
    return { populationStatus: 'Running', populationSettleMs: settleMs() };
  }
  progress(`not all Running within ${parameters.populationSettleBudgetMs / 1000} s: terminating them to measure on Stopped ones`);
  const refused = await forEachConcurrently(pipelineIds, parameters.commandConcurrency, (pipelineId) =>
    sendCommand(system, pipelineId, 'terminate'),
  );
  if (refused.length > 0) throw new Error(`${refused.length} terminates failed; first: ${messageOf(refused[0])}`);
  if (!(await allReach(system, pipelineIds, 'Stopped', TERMINATE_BUDGET_MS))) {
    throw new Error(`the population did not reach Stopped within ${TERMINATE_BUDGET_MS / 1000} s`);
  }
  return { populationStatus: 'Stopped', populationSettleMs: settleMs() };
}

/** Whether every pipeline has `target` within `timeoutMs`; throws as soon as one has Failed. */
async function allReach(system: WeirSystem, pipelineIds: string[], target: PipelineStatus, timeoutMs: number): Promise<boolean> {
  const wanted = new Set(pipelineIds);
  const deadline = performance.now() + timeoutMs;
  let lastReport = performance.now();
  for (;;) {
    const counts = await statusCounts(system, wanted);
    if ((counts.get(target) ?? 0) === wanted.size) return true;
    if (counts.has('Failed')) throw new Error(`${counts.get('Failed')} pipelines of the population failed`);
    if (performance.now() >= deadline) return false;
    if (performance.now() - lastReport >= PROGRESS_EVERY_MS) {
      progress(`population: ${[...counts].map(([status, count]) => `${count} ${status}`).join(', ')}`);
      lastReport = performance.now();
    }
    await pause(COUNT_POLL_MS);
  }
}
