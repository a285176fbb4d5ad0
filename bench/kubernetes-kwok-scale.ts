import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { componentsSelector, pipelineSelector } from '../activities/kubernetes/resource-names';
import type { WeirSystem } from '../harness/weir-system';
import type { PipelineStatus } from '../pipeline/status-machine';
import { startWorkerProcess } from '../harness/worker-process';
import { withWeirSystem } from './bench-system';
import { ApiRequestCounter, type PhaseRequests } from './kubernetes-api-requests';
import { DirectScale } from './kubernetes-direct-scale';
import { KWOK_PIPELINE, type KubernetesParameters } from './kubernetes-parameters';
import type { BenchPlane } from './kubernetes-plane';
import type { BenchParameters } from './parameters';
import type { PipelineIds } from './pipeline-ids';
import { usageOver, type WindowUsage } from './process-usage';
import { messageOf, progress } from './progress';
import { forEachConcurrently, pause, pollUntil, timed, withTimeout } from './waiting';
import { STEP_TIMEOUT_MS, createPipeline, deletePipelines, healthOf, statusCounts, timeCommand, untilStatus } from './weir-api';

export interface ScalePair {
  weirMs: number;
  directMs: number;
}

export interface KwokScaleResults {
  pipelines: number;
  /** From the first create until the API had accepted the last. */
  createsAcceptedMs: number;
  /** From the first create until the list showed every pipeline Running. */
  allRunningMs: number;
  /** Weir's worker, in a process of its own, with every pipeline Running and no command under way. */
  worker: WindowUsage;
  stops: ScalePair[];
  resumes: ScalePair[];
  failureDetectionMs: number[];
  requests: PhaseRequests[];
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
/** The component whose pod a status patch fails. */
const FAILED_COMPONENT = KWOK_PIPELINE[1].name;
const PROGRESS_EVERY_MS = 15_000;
const WORKER_EXIT_MS = 30_000;

/**
 * A population of two-component pipelines on kwok's node, all Running at once under one worker in a process of its
 * own, signed in as the weir-worker service account: how long they take to start, what the worker costs at rest, stop
 * and resume beside the same scaling done directly, failure detection, and the API requests of each step.
 */
export async function measureKwokScale(
  bench: BenchPlane,
  ids: PipelineIds,
  parameters: BenchParameters,
  k8s: KubernetesParameters,
): Promise<KwokScaleResults> {
  const count = k8s.pipelines;
  const sampled = k8s.scaleSamples + k8s.failureDetectionRuns;
  if (count < sampled) throw new Error(`the Kubernetes section needs at least ${sampled} pipelines, not ${count}`);
  const env = {
    WEIR_ORCHESTRATOR: 'kubernetes',
    KUBECONFIG: bench.kwok.kubeconfigPath,
    WEIR_K8S_NAMESPACE: bench.kwok.namespace,
    WEIR_K8S_NODE_SELECTOR: bench.kwok.nodeSelector,
    WEIR_STOP_GRACE_SECONDS: String(parameters.stopGraceSeconds),
    WEIR_READY_TIMEOUT_SECONDS: String(k8s.runningBudgetMs / 1000),
    WEIR_WORKER_MAX_ACTIVITIES: String(count + 100),
  };
  return withWeirSystem(
    parameters.populationNetworkMode,
    parameters,
    async (system) => {
      // The in-process worker goes, so that the worker's memory and CPU are a process's own.
      await system.stopWorker();
      const worker = await startWorkerProcess(env);
      try {
        return await measureWith(system, worker.pid!, bench, ids.make('kwok', count), parameters, k8s);
      } finally {
        await stopWorkerProcess(worker);
      }
    },
    env,
  );
}

async function measureWith(
  system: WeirSystem,
  workerPid: number,
  bench: BenchPlane,
  pipelineIds: string[],
  parameters: BenchParameters,
  k8s: KubernetesParameters,
): Promise<KwokScaleResults> {
  const counter = new ApiRequestCounter(bench.plane, bench.workerUser);
  const count = pipelineIds.length;
  let createsAcceptedMs = 0;
  const allRunningMs = await counter.during('create -> Running', count, () =>
    timed(async () => {
      const started = performance.now();
      expectNoErrors(
        'create',
        await forEachConcurrently(pipelineIds, parameters.commandConcurrency, (id) => createPipeline(system, id, KWOK_PIPELINE)),
      );
      createsAcceptedMs = performance.now() - started;
      await untilAll(system, pipelineIds, 'Running', k8s);
    }),
  );
  progress(`all ${count} pipelines Running after ${Math.round(allRunningMs)} ms; resting ${k8s.settleMs / 1000} s`);
  await pause(k8s.settleMs);
  const worker = await counter.during('at rest, per idle window', 1, () => usageOver(workerPid, k8s.idleWindowMs));

  const direct = new DirectScale(bench.admin, bench.kwok.namespace, parameters.statusPollMs);
  const stops: ScalePair[] = [];
  const resumes: ScalePair[] = [];
  for (const [index, id] of pipelineIds.slice(0, k8s.scaleSamples).entries()) {
    const poll = parameters.statusPollMs;
    const weirStopMs = await counter.during('stop', 1, () => timeCommand(system, id, 'stop', 'Stopped', poll));
    // Behind Weir's back while it is Stopped: no watch of it runs, and resume applies the Deployments again anyway.
    const directUpMs = await direct.scaleUp(id, KWOK_PIPELINE);
    const directDownMs = await direct.scaleDown(id, KWOK_PIPELINE);
    const weirResumeMs = await counter.during('resume', 1, () => timeCommand(system, id, 'resume', 'Running', poll));
    stops.push({ weirMs: weirStopMs, directMs: directDownMs });
    resumes.push({ weirMs: weirResumeMs, directMs: directUpMs });
    progress(`Kubernetes stop and resume beside direct scaling: ${index + 1} of ${k8s.scaleSamples} done`);
  }

  const core = bench.admin.makeApiClient(CoreV1Api);
  const failureDetectionMs: number[] = [];
  for (const id of pipelineIds.slice(k8s.scaleSamples, k8s.scaleSamples + k8s.failureDetectionRuns)) {
    failureDetectionMs.push(await timeDetection(system, core, bench.kwok.namespace, id, parameters.statusPollMs));
  }
  progress(`Kubernetes failure detection: ${failureDetectionMs.map(Math.round).join(', ')} ms`);

  // Terminate and delete take the scale samples one at a time, as stop and resume did; the rest of the population
  // goes with the control plane and the Temporal server.
  for (const id of pipelineIds.slice(0, k8s.scaleSamples)) {
    await counter.during('terminate', 1, () => timeCommand(system, id, 'terminate', 'Stopped', parameters.statusPollMs));
    await counter.during('delete', 1, async () => {
      await deletePipelines(system, [id], 1);
      await untilNoObjects(bench, id, parameters.statusPollMs);
    });
  }
  return {
    pipelines: count,
    createsAcceptedMs,
    allRunningMs,
    worker,
    stops,
    resumes,
    failureDetectionMs,
    requests: await counter.phases(),
  };
}

function expectNoErrors(what: string, errors: unknown[]): void {
  if (errors.length > 0) throw new Error(`${errors.length} ${what} requests failed; the first: ${messageOf(errors[0])}`);
}

/** Reads the list until every pipeline has `status`; throws as soon as one is Failed. */
async function untilAll(system: WeirSystem, pipelineIds: string[], status: PipelineStatus, k8s: KubernetesParameters): Promise<void> {
  const wanted = new Set(pipelineIds);
  let reportedAt = Date.now();
  const counts = await pollUntil(
    () => statusCounts(system, wanted),
    (counts) => {
      if ((counts.get('Failed') ?? 0) > 0) return true;
      if (Date.now() - reportedAt >= PROGRESS_EVERY_MS) {
        reportedAt = Date.now();
        progress(`Kubernetes population: ${[...counts].map(([name, number]) => `${number} ${name}`).join(', ')}`);
      }
      return counts.get(status) === pipelineIds.length;
    },
    k8s.populationPollMs,
    k8s.runningBudgetMs,
    `${pipelineIds.length} pipelines reaching ${status}`,
  );
  const failed = counts.get('Failed') ?? 0;
  if (failed > 0) throw new Error(`${failed} pipelines Failed while starting; the first: ${await firstFailure(system, pipelineIds)}`);
}

async function firstFailure(system: WeirSystem, pipelineIds: string[]): Promise<string> {
  for (const id of pipelineIds) {
    const health = await healthOf(system, id);
    if (health?.overall_status === 'Failed') return `${id}: ${JSON.stringify(health.failure)}`;
  }
  return 'none found';
}

/** Patches a pod's status as a kubelet reports a restarted container; from sending it until health shows Failed. */
async function timeDetection(system: WeirSystem, core: CoreV1Api, namespace: string, pipelineId: string, pollMs: number): Promise<number> {
  const { items } = await core.listNamespacedPod({ namespace, labelSelector: componentsSelector(pipelineId, [FAILED_COMPONENT]) });
  const pod = items[0];
  if (!pod?.metadata?.name) throw new Error(`${pipelineId} has no pod of ${FAILED_COMPONENT}`);
  const now = new Date().toISOString();
  const restarted = {
    name: FAILED_COMPONENT,
    image: KWOK_PIPELINE[1].image,
    imageID: '',
    ready: true,
    restartCount: 1,
    state: { running: { startedAt: now } },
    lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: now, finishedAt: now } },
  };
  return timed(async () => {
    await core.patchNamespacedPodStatus(
      { name: pod.metadata!.name!, namespace, body: { status: { containerStatuses: [restarted] } } },
      mergePatch,
    );
    await untilStatus(system, pipelineId, 'Failed', pollMs);
  });
}

/** Delete answers before Weir has removed the objects; its removal is done once none of the pipeline's is left. */
async function untilNoObjects(bench: BenchPlane, pipelineId: string, pollMs: number): Promise<void> {
  const query = { namespace: bench.kwok.namespace, labelSelector: pipelineSelector(pipelineId) };
  const apps = bench.admin.makeApiClient(AppsV1Api);
  const core = bench.admin.makeApiClient(CoreV1Api);
  await pollUntil(
    async () => (await apps.listNamespacedDeployment(query)).items.length + (await core.listNamespacedPod(query)).items.length,
    (left) => left === 0,
    pollMs,
    STEP_TIMEOUT_MS,
    `the removal of ${pipelineId}'s Deployments and pods`,
  );
}

async function stopWorkerProcess(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  const exited = once(worker, 'exit');
  worker.kill('SIGTERM');
  await withTimeout(exited, WORKER_EXIT_MS, 'the worker process exiting').catch(async () => {
    worker.kill('SIGKILL');
    await exited;
  });
}
