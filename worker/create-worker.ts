import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities/create-activities';
import type { Orchestrator } from '../activities/orchestrator';
import { TASK_QUEUE } from '../workflows/names';

export interface PipelineWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  orchestrator: Orchestrator;
  /** A prebuilt bundle; tests pass one so several workers share a single build. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** A worker for the pipeline task queue, running the pipeline workflow and the orchestrator activities. */
export function createPipelineWorker({ connection, namespace, orchestrator, workflowBundle }: PipelineWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue: TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities(orchestrator),
  });
}
