/** Names operators rely on; see the Temporal conventions in the README. */
export const WORKFLOW_TYPE = 'pipelineWorkflow';
export const TASK_QUEUE = 'weir-pipelines';
export const STATUS_SEARCH_ATTRIBUTE = 'PipelineStatus';

/** Labels on every container (and, for the pipeline's, every resource) the orchestrator makes. */
export const PIPELINE_LABEL = 'weir.pipeline';
export const COMPONENT_LABEL = 'weir.component';
export const REPLICA_LABEL = 'weir.replica';

const WORKFLOW_ID_PREFIX = 'pipeline-';

export function workflowIdFor(pipelineId: string): string {
  return `${WORKFLOW_ID_PREFIX}${pipelineId}`;
}

export function pipelineIdOf(workflowId: string): string | undefined {
  return workflowId.startsWith(WORKFLOW_ID_PREFIX) ? workflowId.slice(WORKFLOW_ID_PREFIX.length) : undefined;
}
