import { ActivityCancellationType, CancellationScope, condition, patched, proxyActivities } from '@temporalio/workflow';
import type { PipelineActivities } from '../activities/create-activities';
import type { PipelineSpec } from '../pipeline/pipeline-spec';
import { withSettingDefaults, type PipelineSettings } from '../pipeline/pipeline-settings';
import type { PipelineStatus } from '../pipeline/status-machine';
import { streamNames } from '../pipeline/stream-graph';

/** What an operation asks of the workflow when it ends without completing its status: a move to another status. */
export interface Escalation {
  to: PipelineStatus;
  reason: string;
}

/** The orchestrator work a status stands for, named for failure reasons. */
export interface Operation {
  name: string;
  run(): Promise<Escalation | void>;
}

/** Live scales accepted while Running and not yet applied, by component; the Running operation takes them. */
export interface PendingScales {
  any(): boolean;
  take(): string[];
}

/** Patch ids: runs that started before a behaviour existed replay without it. */
const DRAIN_ON_STOP_PATCH = 'drain-on-stop';
const WATCH_RUNNING_PATCH = 'watch-running';

/** A watch ends after this long and starts again, so no activity runs unboundedly. */
const WATCH_ROUND_SECONDS = 3600;

/** A watch whose worker died starts again on another this long after its last heartbeat. */
export const WATCH_HEARTBEAT_TIMEOUT_SECONDS = 90;

/**
 * Activities that only heartbeat that they are alive (activities/heartbeat.ts): a worker that dies in one of them
 * is noticed, and the activity retried elsewhere, after this long.
 */
const HEARTBEAT_TIMEOUT = '10s';

const seconds = (value: number) => value * 1000;

/**
 * Runs `work` in a scope of its own until it settles; cancels it when `timeoutMs` passes or `yieldNow()` holds.
 * Resolves true when the work completed, false when it was cancelled; rethrows its failure.
 */
async function settleOrCancel(work: () => Promise<void>, timeoutMs?: number, yieldNow: () => boolean = () => false): Promise<boolean> {
  const scope = new CancellationScope();
  let outcome: { completed: true } | { completed: false; failure: unknown } | undefined;
  void scope.run(work).then(
    () => (outcome = { completed: true }),
    (failure: unknown) => (outcome = { completed: false, failure }),
  );
  const settled = () => outcome !== undefined || yieldNow();
  if (timeoutMs === undefined) await condition(settled);
  else await condition(settled, timeoutMs);
  if (!outcome) {
    scope.cancel();
    return false;
  }
  if (!outcome.completed) throw outcome.failure;
  return true;
}

/** Builds the operations of one pipeline, on its current spec, each activity with explicit timeouts and retries. */
export function pipelineOperations(
  currentSpec: () => PipelineSpec,
  configured: PipelineSettings,
  shouldYield: () => boolean,
  pendingScales: PendingScales,
) {
  const settings = withSettingDefaults(configured);
  const backoff = {
    initialInterval: seconds(settings.initial_retry_interval_seconds),
    maximumInterval: seconds(settings.max_retry_interval_seconds),
    backoffCoefficient: 2,
  };
  const retry = { ...backoff, maximumAttempts: settings.max_attempts };
  // A start that terminate cancels must finish before the kill runs, or it could start containers after the kill.
  const quick = proxyActivities<PipelineActivities>({
    startToCloseTimeout: '2m',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const readiness = proxyActivities<PipelineActivities>({
    startToCloseTimeout: seconds(settings.ready_timeout_seconds),
    heartbeatTimeout: '20s',
    retry,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const stopping = proxyActivities<PipelineActivities>({
    startToCloseTimeout: seconds(settings.stop_grace_seconds + 60),
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry,
  });
  const draining = proxyActivities<PipelineActivities>({
    startToCloseTimeout: seconds(settings.stop_deadline_seconds + 60),
    heartbeatTimeout: '30s',
    retry,
  });
  // A scale down stops surplus replicas gracefully; like a start, it must finish before a kill that cancels it runs.
  const scaling = proxyActivities<PipelineActivities>({
    startToCloseTimeout: seconds(settings.stop_grace_seconds + 120),
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  // Watching never gives up on its own: only a component failure, which is not retried, ends it.
  const watching = proxyActivities<PipelineActivities>({
    startToCloseTimeout: seconds(WATCH_ROUND_SECONDS + 60),
    heartbeatTimeout: seconds(WATCH_HEARTBEAT_TIMEOUT_SECONDS),
    retry: backoff,
  });

  // An edit's check answers while its caller waits, so it retries briefly; the update fails, changing nothing, if it cannot.
  const checking = proxyActivities<PipelineActivities>({
    startToCloseTimeout: '30s',
    retry: { ...backoff, maximumAttempts: Math.min(settings.max_attempts, 3) },
  });

  const start: Operation = {
    name: 'deploy',
    run: async () => {
      await quick.deployPipeline(currentSpec());
      await readiness.waitForPipelineReady(currentSpec());
    },
  };
  const resume: Operation = {
    name: 'resume',
    run: async () => {
      await quick.startPipelineAgain(currentSpec());
      await readiness.waitForPipelineReady(currentSpec());
    },
  };
  const drain: Operation = {
    name: 'stop',
    run: async () => {
      const drained = await settleOrCancel(
        () => draining.drainPipeline(currentSpec(), settings.stop_grace_seconds),
        seconds(settings.stop_deadline_seconds),
      );
      if (drained) return undefined;
      return {
        to: 'Terminating',
        reason: `stop deadline of ${settings.stop_deadline_seconds}s passed before the drain finished; escalated to terminate`,
      };
    },
  };
  const legacyStop: Operation = { name: 'stop', run: () => stopping.stopPipeline(currentSpec(), settings.stop_grace_seconds) };
  const kill: Operation = { name: 'terminate', run: () => quick.killPipeline(currentSpec()) };
  // A watch yields to a live scale: the next one watches the replicas of the new spec, so the surplus going is no failure.
  const watch: Operation = {
    name: 'monitor',
    run: async () => {
      await settleOrCancel(
        () => watching.watchPipeline(currentSpec(), WATCH_ROUND_SECONDS),
        undefined,
        () => shouldYield() || pendingScales.any(),
      );
    },
  };
  const scale: Operation = {
    name: 'scale',
    run: async () => {
      const spec = currentSpec();
      await Promise.all(pendingScales.take().map((component) => scaling.scaleComponent(spec, component, settings.stop_grace_seconds)));
      await readiness.waitForPipelineReady(spec);
    },
  };
  const remove: Operation = { name: 'delete', run: () => quick.removePipeline(currentSpec().pipeline_id) };

  /** The streams an edit to `spec` would remove that still hold messages; the edit is refused while there are any. */
  const heldStreamsAfter = (spec: PipelineSpec) => checking.heldStreamsAfterEdit(spec.pipeline_id, streamNames(spec.components));

  const forStatus = (status: PipelineStatus): Operation | undefined => {
    switch (status) {
      case 'Created':
        return start;
      case 'Resuming':
        return resume;
      case 'Stopping':
        return patched(DRAIN_ON_STOP_PATCH) ? drain : legacyStop;
      case 'Terminating':
        return kill;
      case 'Running':
        if (pendingScales.any()) return scale;
        return patched(WATCH_RUNNING_PATCH) ? watch : undefined;
      case 'Deleting':
        return remove;
      default:
        return undefined;
    }
  };
  return { forStatus, heldStreamsAfter };
}

export type PipelineOperations = ReturnType<typeof pipelineOperations>;
