import { NativeConnection, Worker, type ActivityInterceptorsFactory, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities/create-activities';
import { TASK_QUEUE } from '../pipeline/names';

export interface PipelineWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  activities: ActivityDependencies;
  /** Every Running pipeline holds one watching activity, so this bounds how many pipelines one worker watches. */
  maxConcurrentActivities?: number;
  /** A prebuilt bundle; tests pass one so several workers share a single build. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Interceptors of every activity attempt, such as the one that counts their outcomes. */
  activityInterceptors?: ActivityInterceptorsFactory[];
}

/** A worker for the pipeline task queue, running the pipeline workflow and the orchestrator activities. */
export function createPipelineWorker({
  connection,
  namespace,
  activities,
  maxConcurrentActivities = 1000,
  workflowBundle,
  activityInterceptors = [],
}: PipelineWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue: TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities(activities),
    interceptors: { activity: activityInterceptors },
    maxConcurrentActivityTaskExecutions: maxConcurrentActivities,
    // Drain progress and component states reach health through heartbeats; send them within a second.
    maxHeartbeatThrottleInterval: '1s',
    defaultHeartbeatThrottleInterval: '1s',
  });
}
