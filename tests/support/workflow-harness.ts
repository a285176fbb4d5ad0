import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { installQuietRuntime, workflowBundle } from '../../harness/workflow-bundle';
import { SecretDirectory } from '../../secret-directory';
import { ApiError } from '../../api/api-error';
import { PipelineGateway, type PipelineRecord } from '../../api/pipeline-gateway';
import { createPipelineWorker } from '../../worker/create-worker';
import type { PipelineSettings } from '../../pipeline/pipeline-settings';
import type { PipelineSpec } from '../../pipeline/pipeline-spec';
import { pipelineStatusKey } from '../../workflows/search-attributes';
import type { PipelineStatus } from '../../pipeline/status-machine';
import { eventually } from '../../harness/eventually';
import { FakeDataPlane } from './fake-data-plane';
import { FakeOrchestrator } from './fake-orchestrator';
import { useForTestFile } from './use-for-test-file';

/** Settings that make retries and their exhaustion quick. */
export const FAST_SETTINGS: PipelineSettings = {
  stop_grace_seconds: 1,
  stop_deadline_seconds: 3,
  ready_timeout_seconds: 30,
  max_attempts: 3,
  initial_retry_interval_seconds: 1,
  max_retry_interval_seconds: 1,
};

export function temporalCli(): string {
  const cli = process.env.WEIR_TEMPORAL_CLI;
  if (!cli) throw new Error('WEIR_TEMPORAL_CLI is not set; run the tests through jest so the global setup provides it');
  return cli;
}

/** A real local Temporal dev server with the PipelineStatus search attribute. */
function startLocalTemporal(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCli() },
      searchAttributes: [pipelineStatusKey],
      extraArgs: ['--log-level', 'error', ...extraArgs],
    },
  });
}

export interface WorkflowHarness {
  env: TestWorkflowEnvironment;
  gateway: PipelineGateway;
  orchestrator: FakeOrchestrator;
  worker: Worker;
  running: Promise<void>;
  dataPlane: FakeDataPlane;
}

/** The server suggests continue-as-new after this many events instead of thousands, so tests reach it quickly. */
export const CONTINUE_AS_NEW_AFTER_EVENTS = 60;
export const SUGGEST_CONTINUE_AS_NEW_EARLY = [
  '--dynamic-config-value',
  `limit.historyCount.suggestContinueAsNew=${CONTINUE_AS_NEW_AFTER_EVENTS}`,
];

/** A dev server, a worker on the fake orchestrator and data plane, and the API's gateway, sharing one file's tests. */
export async function startWorkflowHarness(extraArgs: string[] = []): Promise<WorkflowHarness> {
  installQuietRuntime();
  const env = await startLocalTemporal(extraArgs);
  const orchestrator = new FakeOrchestrator();
  const dataPlane = new FakeDataPlane();
  const worker = await createPipelineWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    activities: {
      orchestrator,
      dataPlane,
      componentNatsUrl: 'nats://127.0.0.1:4222',
      natsCredentials: undefined,
      secrets: new SecretDirectory(undefined),
    },
    workflowBundle: await workflowBundle(),
  });
  const running = worker.run();
  const gateway = new PipelineGateway(env.client, { settings: FAST_SETTINGS, updateTimeoutMs: 10_000, deleteTimeoutMs: 30_000 });
  return { env, gateway, orchestrator, dataPlane, worker, running };
}

export async function stopWorkflowHarness(harness: WorkflowHarness): Promise<void> {
  harness.worker.shutdown();
  await harness.running;
  await harness.env.teardown();
}

/** The workflow harness of one test file: started before its tests and stopped after them. Call it at the top level. */
export function useWorkflowHarness(extraArgs: string[] = []): WorkflowHarness {
  return useForTestFile('workflow harness', () => startWorkflowHarness(extraArgs), stopWorkflowHarness);
}

export function specFor(pipelineId: string): PipelineSpec {
  return {
    pipeline_id: pipelineId,
    name: `Pipeline ${pipelineId}`,
    components: [{ name: 'ingestor', image: 'busybox:latest', replicas: 1 }],
  };
}

export function statusOf(
  gateway: PipelineGateway,
  pipelineId: string,
  status: PipelineStatus,
  timeoutMs?: number,
): Promise<PipelineRecord> {
  return eventually(
    () => gateway.get(pipelineId),
    (record) => record.overall_status === status,
    timeoutMs,
  );
}

/** The ApiError a gateway call fails with; fails the test if it succeeds or fails otherwise. */
export async function apiFailureOf(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}
