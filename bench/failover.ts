import { loadKubeConfig } from '../kube-config';
import type { WeirSystem } from '../harness/weir-system';
import { workflowIdFor } from '../pipeline/names';
import { KWOK_NODE_LABEL, startControlPlane } from '../scripts/kubernetes/control-plane';
import { createTestNamespace } from '../tests/support/test-kubernetes';
import { WATCH_HEARTBEAT_TIMEOUT_SECONDS } from '../workflows/operations';
import { withWeirSystem } from './bench-system';
import { activitySlotsFor, populate } from './idle-cost';
import type { IdleParameters } from './idle-parameters';
import { PARAMETERS } from './parameters';
import { progress } from './progress';
import { percentile } from './stats';
import { forEachConcurrently, pause } from './waiting';
import { holderCounts, watchAttempts } from './watch-holders';
import { idleWindow, startMeasuredWorker, type IdleWindow, type MeasuredWorker } from './worker-process-usage';
import { statusCounts } from './weir-api';

export interface FailoverResult {
  /** Those that reached Running. */
  pipelines: number;
  populateMs: number;
  /** Both workers while every pipeline was Running, before the kill. */
  idle: [IdleWindow, IdleWindow];
  /** Watches each worker held before the kill: the one killed first. */
  heldBefore: [number, number];
  /** From the SIGKILL until the first, and until the last, of the killed worker's watches ran on the other. */
  firstMovedMs: number;
  allMovedMs: number;
  heartbeatTimeoutSeconds: number;
  /** Pipelines Running once every watch had moved. */
  runningAfter: number;
}

const SWEEP_PAUSE_MS = 1000;
const TERMINATE_CONCURRENCY = 16;

/**
 * `pipelineIds.length` Running pipelines on Kubernetes (kwok's fake node: pods without containers) shared by two workers
 * in processes of their own; then one worker is killed with SIGKILL and the other must take over its watches.
 */
export async function measureFailover(temporalPid: number, pipelineIds: string[], parameters: IdleParameters): Promise<FailoverResult> {
  progress("starting a Kubernetes control plane with kwok's fake node");
  const plane = await startControlPlane({ name: 'bench-kubernetes', detached: true });
  try {
    const namespace = await createTestNamespace('weir-failover', loadKubeConfig(plane.kubeconfigPath));
    const env = {
      WEIR_ORCHESTRATOR: 'kubernetes',
      KUBECONFIG: plane.kubeconfigPath,
      WEIR_K8S_NAMESPACE: namespace,
      WEIR_K8S_NODE_SELECTOR: `${KWOK_NODE_LABEL.key}=${KWOK_NODE_LABEL.value}`,
    };
    return await withWeirSystem(
      PARAMETERS.populationNetworkMode,
      PARAMETERS,
      (system) => failover(system, temporalPid, pipelineIds, parameters, env),
      env,
    );
  } finally {
    await plane.stop();
  }
}

async function failover(
  system: WeirSystem,
  temporalPid: number,
  pipelineIds: string[],
  parameters: IdleParameters,
  env: Record<string, string>,
): Promise<FailoverResult> {
  await system.stopWorker();
  // Either worker must be able to hold every watch once the other is gone.
  const workerEnv = { ...env, WEIR_WORKER_MAX_ACTIVITIES: String(activitySlotsFor(pipelineIds.length)) };
  const workers: MeasuredWorker[] = [];
  try {
    workers.push(await startMeasuredWorker(workerEnv), await startMeasuredWorker(workerEnv));
    const [doomed, survivor] = workers;
    const { populateMs, running } = await populate(system, pipelineIds, parameters);
    progress(`failover: ${pipelineIds.length} Running; resting ${parameters.idleSettleMs / 1000} s, then measuring both workers`);
    await pause(parameters.idleSettleMs);
    const idle = await Promise.all(workers.map((worker) => idleWindow(worker, temporalPid, parameters.idleWindowMs)));
    const attempts = await watchAttempts(system.client, pipelineIds);
    const before = holderCounts(attempts);
    const heldBefore: [number, number] = [before.get(doomed.identity) ?? 0, before.get(survivor.identity) ?? 0];
    if (heldBefore[0] + heldBefore[1] !== running) throw new Error(`watches before the kill: ${JSON.stringify([...before])}`);
    const doomedWatches = [...attempts].filter(([, { holder }]) => holder === doomed.identity).map(([pipelineId]) => pipelineId);

    progress(`failover: SIGKILL to worker ${doomed.pid}, which holds ${doomedWatches.length} watches`);
    const killedAt = Date.now();
    doomed.child.kill('SIGKILL');
    const moved = await untilMoved(system, doomedWatches, survivor.identity, killedAt, parameters.failoverBudgetMs);
    const after = await statusCounts(system, new Set(pipelineIds));
    return {
      pipelines: running,
      populateMs,
      idle: [idle[0], idle[1]],
      heldBefore,
      ...moved,
      heartbeatTimeoutSeconds: WATCH_HEARTBEAT_TIMEOUT_SECONDS,
      runningAfter: after.get('Running') ?? 0,
    };
  } finally {
    progress(`terminating the ${pipelineIds.length} failover workflows (the control plane goes with everything in it)`);
    await forEachConcurrently(pipelineIds, TERMINATE_CONCURRENCY, async (pipelineId) => {
      await system.client.workflow.getHandle(workflowIdFor(pipelineId)).terminate('failover benchmark done');
    });
    for (const worker of workers) await worker.stop();
    await system.startWorker();
  }
}

/**
 * Looks until every one of `pipelineIds` has its watch running on `survivor`. Each move is timed by the server's start
 * of the new attempt, so the looks' pace does not count.
 */
async function untilMoved(
  system: WeirSystem,
  pipelineIds: string[],
  survivor: string,
  killedAt: number,
  budgetMs: number,
): Promise<Pick<FailoverResult, 'firstMovedMs' | 'allMovedMs'>> {
  let waiting = pipelineIds;
  const movedAfterMs: number[] = [];
  while (waiting.length > 0) {
    if (Date.now() - killedAt > budgetMs) throw new Error(`${waiting.length} watches had not moved within ${budgetMs / 1000} s`);
    await pause(SWEEP_PAUSE_MS);
    const attempts = await watchAttempts(system.client, waiting);
    const still = waiting.filter((pipelineId) => attempts.get(pipelineId)?.holder !== survivor);
    for (const attempt of attempts.values()) {
      if (attempt.holder === survivor) movedAfterMs.push((attempt.startedAtMs ?? Date.now()) - killedAt);
    }
    if (still.length !== waiting.length) progress(`failover: ${pipelineIds.length - still.length} of ${pipelineIds.length} watches moved`);
    waiting = still;
  }
  return { firstMovedMs: percentile(movedAfterMs, 0), allMovedMs: percentile(movedAfterMs, 100) };
}
