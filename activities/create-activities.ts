import { ApplicationFailure, Context } from '@temporalio/activity';
import type { PipelineSpec } from '../workflows/pipeline-spec';
import { abortAfter } from './abort-after';
import { ComponentError } from './errors';
import type { ActivityFailureDetails } from './failure-details';
import { drainPipeline, type DrainProgress } from './drain';
import { withSecretValues, withWeirEnv } from './component-env';
import type { JetStreamDataPlane } from './nats/jetstream-data-plane';
import type { Orchestrator } from './orchestrator';
import type { SecretDirectory } from './secret-directory';

export interface ActivityDependencies {
  orchestrator: Orchestrator;
  dataPlane: JetStreamDataPlane;
  /** NATS as components reach it, which may differ from how the worker reaches it. */
  componentNatsUrl: string;
  secrets: SecretDirectory;
  drainPollIntervalMs?: number;
}

/** Activities that carry out orchestrator and data plane operations for the pipeline workflow. */
export function createActivities({ orchestrator, dataPlane, componentNatsUrl, secrets, drainPollIntervalMs = 250 }: ActivityDependencies) {
  /** The spec as the orchestrator runs it: secret values and Weir's variables in each component's env. */
  const runnable = async (spec: PipelineSpec): Promise<PipelineSpec> => withWeirEnv(await withSecretValues(spec, secrets), componentNatsUrl);

  return {
    async deployPipeline(spec: PipelineSpec): Promise<void> {
      await reportingFailures(async () => {
        await dataPlane.provision(spec);
        await orchestrator.deploy(await runnable(spec));
      });
    },

    async waitForPipelineReady(spec: PipelineSpec): Promise<void> {
      const context = Context.current();
      await reportingFailures(() =>
        orchestrator.waitUntilReady(spec, {
          signal: context.cancellationSignal,
          onProgress: (components) => context.heartbeat({ components }),
        }),
      );
    },

    /** Stops every component at once; kept for runs started before stop drained. */
    async stopPipeline(spec: PipelineSpec, graceSeconds: number): Promise<void> {
      await reportingFailures(() => orchestrator.stopGracefully(spec, graceSeconds));
    },

    async drainPipeline(spec: PipelineSpec, graceSeconds: number): Promise<void> {
      const context = Context.current();
      await reportingFailures(() =>
        drainPipeline(spec, {
          orchestrator,
          dataPlane,
          graceSeconds,
          previous: context.info.heartbeatDetails as DrainProgress | undefined,
          report: (progress) => context.heartbeat(progress),
          signal: context.cancellationSignal,
          pollIntervalMs: drainPollIntervalMs,
        }),
      );
    },

    /** Watches a Running pipeline for `roundSeconds`, failing as soon as a component fails. */
    async watchPipeline(spec: PipelineSpec, roundSeconds: number): Promise<void> {
      const context = Context.current();
      const round = abortAfter(context.cancellationSignal, roundSeconds * 1000);
      try {
        await reportingFailures(() => orchestrator.watch(spec, { signal: round.signal, onProgress: (components) => context.heartbeat({ components }) }));
      } finally {
        round.dispose();
      }
    },

    async killPipeline(spec: PipelineSpec): Promise<void> {
      await reportingFailures(() => orchestrator.kill(spec));
    },

    /** Provisioning again restores streams lost while the pipeline was stopped; it is a no-op otherwise. */
    async startPipelineAgain(spec: PipelineSpec): Promise<void> {
      await reportingFailures(async () => {
        await dataPlane.provision(spec);
        await orchestrator.startAgain(await runnable(spec));
      });
    },

    async removePipeline(pipelineId: string): Promise<void> {
      await reportingFailures(async () => {
        await orchestrator.remove(pipelineId);
        await dataPlane.remove(pipelineId);
      });
    },
  };
}

export type PipelineActivities = ReturnType<typeof createActivities>;

/** Rethrows any error as an ApplicationFailure naming the component and the attempt, non-retryable when retrying cannot help. */
async function reportingFailures(operation: () => Promise<void>): Promise<void> {
  try {
    await operation();
  } catch (error) {
    if (error instanceof ApplicationFailure || Context.current().cancellationSignal.aborted) throw error;
    const attempt = Context.current().info.attempt;
    const componentError = error instanceof ComponentError ? error : undefined;
    const details: ActivityFailureDetails = { component: componentError?.component ?? null, attempt };
    throw ApplicationFailure.create({
      message: error instanceof Error ? error.message : String(error),
      type: componentError?.type ?? (error instanceof Error ? error.name : 'Error'),
      nonRetryable: componentError ? !componentError.retryable : false,
      details: [details],
    });
  }
}
