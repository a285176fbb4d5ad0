import { ApplicationFailure, Context } from '@temporalio/activity';
import type { PipelineSpec } from '../workflows/pipeline-spec';
import { ComponentError } from './errors';
import type { ActivityFailureDetails } from './failure-details';
import type { Orchestrator } from './orchestrator';

/** Activities that carry out orchestrator operations for the pipeline workflow. */
export function createActivities(orchestrator: Orchestrator) {
  return {
    async deployPipeline(spec: PipelineSpec): Promise<void> {
      await reportingFailures(() => orchestrator.deploy(spec));
    },

    async waitForPipelineReady(spec: PipelineSpec): Promise<void> {
      const context = Context.current();
      await reportingFailures(() =>
        orchestrator.waitUntilReady(spec, {
          signal: context.cancellationSignal,
          onProgress: (states) => context.heartbeat(states),
        }),
      );
    },

    async stopPipeline(spec: PipelineSpec, graceSeconds: number): Promise<void> {
      await reportingFailures(() => orchestrator.stopGracefully(spec, graceSeconds));
    },

    async killPipeline(spec: PipelineSpec): Promise<void> {
      await reportingFailures(() => orchestrator.kill(spec));
    },

    async startPipelineAgain(spec: PipelineSpec): Promise<void> {
      await reportingFailures(() => orchestrator.startAgain(spec));
    },

    async removePipeline(pipelineId: string): Promise<void> {
      await reportingFailures(() => orchestrator.remove(pipelineId));
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
