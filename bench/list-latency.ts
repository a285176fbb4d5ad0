import type { WeirSystem } from '../harness/weir-system';
import { WORKFLOW_TYPE, workflowIdFor } from '../pipeline/names';
import type { BenchParameters } from './parameters';
import { messageOf, progress } from './progress';
import { percentile } from './stats';
import { createPipeline } from './weir-api';
import { forEachConcurrently, withTimeout } from './waiting';

export interface ReaderLatency {
  calls: number;
  /** Calls that answered 503; the bar is none. */
  unavailable: number;
  failures: number;
  p50Ms: number;
  p99Ms: number;
  /** The slowest answer: a floor call slower than the API's deadline would have been a 503 through the API. */
  maxMs: number;
  firstFailure?: string;
}

export interface ListLatencyResult {
  pipelines: number;
  /** The first page of GET /api/v1/pipeline, with its default limit. */
  list: ReaderLatency;
  /** One visibility page call of the same size and query, straight to Temporal: the floor a list is built on. */
  visibilityFloor: ReaderLatency;
}

const CALL_TIMEOUT_MS = 15_000;

/**
 * List latency with `parameters.listPopulation` pipelines and `listReaders` concurrent readers, against the bare
 * visibility call. The pipelines are created with no worker polling, so they stay Created and run no containers:
 * list reads Temporal's visibility only, whatever the status.
 */
export async function measureListLatency(
  system: WeirSystem,
  pipelineIds: string[],
  parameters: BenchParameters,
): Promise<ListLatencyResult> {
  await system.stopWorker();
  try {
    progress(`creating ${pipelineIds.length} pipelines for the list benchmark (no worker: they stay Created)`);
    const failures = await forEachConcurrently(pipelineIds, parameters.commandConcurrency, (pipelineId) =>
      createPipeline(system, pipelineId),
    );
    if (failures.length > 0) throw new Error(`${failures.length} creates failed; first: ${messageOf(failures[0])}`);
    await untilVisible(system, pipelineIds.length);
    const list = () => listThroughApi(system);
    const floor = () => bareVisibilityPage(system, parameters.listPageSize);
    await readConcurrently(parameters.listReaders, parameters.listWarmUpCallsPerReader, list);
    await readConcurrently(parameters.listReaders, parameters.listWarmUpCallsPerReader, floor);
    progress(`list: ${parameters.listReaders} concurrent readers, ${parameters.listCallsPerReader} calls each, API and floor alternating`);
    const listRuns: ReaderRun[] = [];
    const floorRuns: ReaderRun[] = [];
    for (let block = 0; block < parameters.listBlocks; block++) {
      listRuns.push(await readConcurrently(parameters.listReaders, parameters.listCallsPerReader / parameters.listBlocks, list));
      floorRuns.push(await readConcurrently(parameters.listReaders, parameters.listCallsPerReader / parameters.listBlocks, floor));
    }
    return { pipelines: pipelineIds.length, list: summarize(listRuns), visibilityFloor: summarize(floorRuns) };
  } finally {
    progress(`terminating the ${pipelineIds.length} list-benchmark workflows`);
    await forEachConcurrently(pipelineIds, parameters.commandConcurrency, async (pipelineId) => {
      await system.client.workflow.getHandle(workflowIdFor(pipelineId)).terminate('list benchmark done');
    });
    await system.startWorker();
  }
}

/** What the readers of one run saw. */
interface ReaderRun {
  latenciesMs: number[];
  unavailable: number;
  failures: string[];
}

/** `readers` closed-loop readers, each making `callsPerReader` calls one after another; a call resolves to its HTTP status. */
async function readConcurrently(readers: number, callsPerReader: number, call: () => Promise<number>): Promise<ReaderRun> {
  const run: ReaderRun = { latenciesMs: [], unavailable: 0, failures: [] };
  const reader = async () => {
    for (let index = 0; index < callsPerReader; index++) {
      const started = performance.now();
      try {
        const status = await withTimeout(call(), CALL_TIMEOUT_MS, 'list call');
        if (status === 503) run.unavailable++;
        else if (status !== 200) run.failures.push(`answered ${status}`);
        else run.latenciesMs.push(performance.now() - started);
      } catch (error) {
        run.failures.push(messageOf(error));
      }
    }
  };
  await Promise.all(Array.from({ length: readers }, reader));
  return run;
}

function summarize(runs: ReaderRun[]): ReaderLatency {
  const latencies = runs.flatMap((run) => run.latenciesMs);
  const failures = runs.flatMap((run) => run.failures);
  const unavailable = runs.reduce((sum, run) => sum + run.unavailable, 0);
  return {
    calls: latencies.length + unavailable + failures.length,
    unavailable,
    failures: failures.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
    firstFailure: failures[0],
  };
}

async function listThroughApi(system: WeirSystem): Promise<number> {
  return (await system.request('GET', '/api/v1/pipeline')).status;
}

async function bareVisibilityPage(system: WeirSystem, pageSize: number): Promise<number> {
  await system.client.workflowService.listWorkflowExecutions({
    namespace: system.client.options.namespace,
    query: `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`,
    pageSize,
  });
  return 200;
}

/** Visibility is eventually consistent: waits until it counts every pipeline created. */
async function untilVisible(system: WeirSystem, count: number): Promise<void> {
  const query = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;
  const deadline = performance.now() + 60_000;
  while ((await system.client.workflow.count(query)).count < count) {
    if (performance.now() > deadline) throw new Error(`visibility did not show ${count} pipelines within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
