import { proxyActivities } from '@temporalio/workflow';
import type { PipelineActivities } from '../activities/create-activities';
import type { PipelineSpec } from './pipeline-spec';
import type { PipelineSettings } from './pipeline-settings';
import type { PipelineStatus } from './status-machine';

/** The orchestrator work a transient status stands for, named for failure reasons. */
export interface Operation {
  name: string;
  run(): Promise<void>;
}

const seconds = (value: number) => value * 1000;

/** Builds the operations of one pipeline, each activity with explicit timeouts and retries. */
export function pipelineOperations(spec: PipelineSpec, settings: PipelineSettings) {
  const retry = {
    maximumAttempts: settings.max_attempts,
    initialInterval: seconds(settings.initial_retry_interval_seconds),
    maximumInterval: seconds(settings.max_retry_interval_seconds),
    backoffCoefficient: 2,
  };
  const quick = proxyActivities<PipelineActivities>({ startToCloseTimeout: '2m', retry });
  const readiness = proxyActivities<PipelineActivities>({
    startToCloseTimeout: seconds(settings.ready_timeout_seconds),
    heartbeatTimeout: '20s',
    retry,
  });
  const stopping = proxyActivities<PipelineActivities>({
    startToCloseTimeout: seconds(settings.stop_grace_seconds + 60),
    retry,
  });

  const start: Operation = {
    name: 'deploy',
    run: async () => {
      await quick.deployPipeline(spec);
      await readiness.waitForPipelineReady(spec);
    },
  };
  const resume: Operation = {
    name: 'resume',
    run: async () => {
      await quick.startPipelineAgain(spec);
      await readiness.waitForPipelineReady(spec);
    },
  };
  const stop: Operation = { name: 'stop', run: () => stopping.stopPipeline(spec, settings.stop_grace_seconds) };
  const kill: Operation = { name: 'terminate', run: () => quick.killPipeline(spec) };
  const remove: Operation = { name: 'delete', run: () => quick.removePipeline(spec.pipeline_id) };

  const byStatus: Partial<Record<PipelineStatus, Operation>> = {
    Created: start,
    Resuming: resume,
    Stopping: stop,
    Terminating: kill,
  };
  return { forStatus: (status: PipelineStatus) => byStatus[status], remove };
}
