import { ApplicationFailure, Context } from '@temporalio/activity';
import type { StreamHolding } from '../pipeline/held-streams';
import type { PipelineSpec } from '../pipeline/pipeline-spec';
import { withDeadline } from './abort-after';
import { ComponentError, StreamsNotEmptyError } from './errors';
import type { ActivityFailureDetails } from '../pipeline/activity-failure-details';
import { ChangeHeartbeat } from './change-heartbeat';
import { heartbeatingWhile } from './heartbeat';
import { drainProgressOf, type ComponentState } from '../pipeline/heartbeat-details';
import { drainPipeline } from './drain';
import { withNatsCredentials, withSecretValues, withWeirEnv } from './component-env';
import { checkSpec } from './spec-check';
import type { DataPlane } from './data-plane';
import type { NatsCredentialIssuer } from './nats/nats-credentials';
import type { Orchestrator } from './orchestrator';
import { maskSecrets, type SecretDirectory } from '../secret-directory';
import type { RunnableSpec } from './runnable-spec';

export interface ActivityDependencies {
  orchestrator: Orchestrator;
  dataPlane: DataPlane;
  /** NATS as components reach it, which may differ from how the worker reaches it. */
  componentNatsUrl: string;
  /** Mints each component's NATS credentials; undefined runs components without any, and without isolation. */
  natsCredentials: NatsCredentialIssuer | undefined;
  secrets: SecretDirectory;
  drainPollIntervalMs?: number;
}

export const DEFAULT_DRAIN_POLL_INTERVAL_MS = 250;

/**
 * A watch heartbeats when its components change, and otherwise this often: well inside its heartbeat timeout
 * (WATCH_HEARTBEAT_TIMEOUT_SECONDS, 90 s), which is how soon a dead worker's watches start again on another.
 */
export const WATCH_KEEP_ALIVE_MS = 45_000;

/** Activities that carry out orchestrator and data plane operations for the pipeline workflow. */
export function createActivities({
  orchestrator,
  dataPlane,
  componentNatsUrl,
  natsCredentials,
  secrets,
  drainPollIntervalMs = DEFAULT_DRAIN_POLL_INTERVAL_MS,
}: ActivityDependencies) {
  /**
   * Checks the spec, provisions the streams and returns the spec as the orchestrator runs it: Weir's variables in each
   * component's env, its secret values and NATS credentials apart from it. Nothing is made before the spec and the
   * secrets check out.
   */
  const provisioned = async (spec: PipelineSpec): Promise<RunnableSpec> => {
    checkSpec(spec);
    const runnable = await withNatsCredentials(withWeirEnv(await withSecretValues(spec, secrets), componentNatsUrl), natsCredentials);
    await dataPlane.provision(spec);
    return runnable;
  };
  /** Failure messages quote component logs and health checks, which may print a secret. */
  const reportingFailuresOf = (spec: PipelineSpec, operation: () => Promise<void>) =>
    reportingFailures(operation, (message) => maskSecrets(message, spec, secrets));

  return {
    async deployPipeline(spec: PipelineSpec): Promise<void> {
      await heartbeatingWhile(() => reportingFailuresOf(spec, async () => orchestrator.deploy(await provisioned(spec))));
    },

    async waitForPipelineReady(spec: PipelineSpec): Promise<void> {
      const context = Context.current();
      await reportingFailuresOf(spec, () =>
        orchestrator.waitUntilReady(spec, {
          signal: context.cancellationSignal,
          // The look that finds every component running ends the activity; a heartbeat then would only hold back its
          // completion, and health no longer reads it once the pipeline is Running.
          onProgress: (components) => {
            if (!components.every(({ state }) => state === 'running')) context.heartbeat({ components });
          },
        }),
      );
    },

    /** Stops every component at once; kept for runs started before stop drained. */
    async stopPipeline(spec: PipelineSpec, graceSeconds: number): Promise<void> {
      await heartbeatingWhile(() => reportingFailuresOf(spec, () => orchestrator.stopGracefully(spec, graceSeconds)));
    },

    async drainPipeline(spec: PipelineSpec, graceSeconds: number): Promise<void> {
      const context = Context.current();
      await reportingFailuresOf(spec, () =>
        drainPipeline(spec, {
          orchestrator,
          dataPlane,
          graceSeconds,
          previous: drainProgressOf(context.info.heartbeatDetails),
          report: (progress) => context.heartbeat(progress),
          signal: context.cancellationSignal,
          pollIntervalMs: drainPollIntervalMs,
        }),
      );
    },

    /** Watches a Running pipeline for `roundSeconds`, failing as soon as a component fails. */
    async watchPipeline(spec: PipelineSpec, roundSeconds: number): Promise<void> {
      const context = Context.current();
      const heartbeat = new ChangeHeartbeat<ComponentState[]>((components) => context.heartbeat({ components }), WATCH_KEEP_ALIVE_MS);
      try {
        await withDeadline(context.cancellationSignal, roundSeconds * 1000, (round) =>
          reportingFailuresOf(spec, () =>
            orchestrator.watch(spec, { signal: round, onProgress: (components) => heartbeat.report(components) }),
          ),
        );
      } finally {
        heartbeat.stop();
      }
    },

    /** Brings one component of a Running pipeline to the replicas the spec gives it; the rest runs on untouched. */
    async scaleComponent(spec: PipelineSpec, component: string, graceSeconds: number): Promise<void> {
      await heartbeatingWhile(() =>
        reportingFailuresOf(spec, async () => orchestrator.scale(await provisioned(spec), component, graceSeconds)),
      );
    },

    async killPipeline(spec: PipelineSpec): Promise<void> {
      await heartbeatingWhile(() => reportingFailuresOf(spec, () => orchestrator.kill(spec)));
    },

    /**
     * Applies the spec and starts the components again. Provisioning again restores streams lost while the pipeline was
     * stopped and makes those an edit added; then what an edit removed goes, and the orchestrator recreates what changed.
     */
    async startPipelineAgain(spec: PipelineSpec): Promise<void> {
      await heartbeatingWhile(() =>
        reportingFailuresOf(spec, async () => {
          const runnable = await provisioned(spec);
          await dataPlane.retireUnusedBy(spec);
          await orchestrator.startAgain(runnable);
        }),
      );
    },

    /** Before an edit: the streams it would remove, all but those the new spec uses, that still hold messages. */
    async heldStreamsAfterEdit(pipelineId: string, usedStreams: string[]): Promise<StreamHolding[]> {
      return dataPlane.heldStreamsBesides(pipelineId, usedStreams);
    },

    async removePipeline(pipelineId: string): Promise<void> {
      await heartbeatingWhile(() =>
        reportingFailures(async () => {
          await orchestrator.remove(pipelineId);
          await dataPlane.remove(pipelineId);
        }),
      );
    },
  };
}

export type PipelineActivities = ReturnType<typeof createActivities>;

/**
 * Rethrows any error as an ApplicationFailure naming the component and the attempt, non-retryable when retrying
 * cannot help, its message passed through `mask` first.
 */
async function reportingFailures(
  operation: () => Promise<void>,
  mask: (message: string) => Promise<string> = async (message) => message,
): Promise<void> {
  try {
    await operation();
  } catch (error) {
    if (error instanceof ApplicationFailure || Context.current().cancellationSignal.aborted) throw error;
    const attempt = Context.current().info.attempt;
    const componentError = error instanceof ComponentError ? error : undefined;
    const details: ActivityFailureDetails = { component: componentError?.component ?? null, attempt };
    throw ApplicationFailure.create({
      message: await mask(error instanceof Error ? error.message : String(error)),
      type: componentError?.type ?? (error instanceof Error ? error.name : 'Error'),
      nonRetryable: componentError ? !componentError.retryable : error instanceof StreamsNotEmptyError,
      details: [details],
    });
  }
}
