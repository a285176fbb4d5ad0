import { PIPELINE_STATUSES, decide, type Action, type Command, type PipelineStatus } from '../pipeline/status-machine';

/** The routes of the API in the router's syntax (`:id`); the OpenAPI document spells parameters `{id}`. */
export const PIPELINES = '/api/v1/pipeline';
export const PIPELINE = `${PIPELINES}/:id`;

/** The response header that says whether a command changed the status (accepted) or found it done (noop). */
export const COMMAND_OUTCOME_HEADER = 'Weir-Command-Outcome';

/** Reads of one pipeline, with the operationId the OpenAPI document gives each. */
export const READ_ROUTES = {
  pipeline: { path: PIPELINE, operationId: 'getPipeline' },
  health: { path: `${PIPELINE}/health`, operationId: 'getPipelineHealth' },
  history: { path: `${PIPELINE}/history`, operationId: 'getPipelineHistory' },
} as const;

/** A component's log lines, read from the orchestrator rather than Temporal. */
export const COMPONENT_LOGS_ROUTE = { path: `${PIPELINE}/components/:name/logs`, operationId: 'getComponentLogs' } as const;

/** The event stream of one pipeline; kept apart from READ_ROUTES, since it answers a stream that does not end. */
export const EVENTS_ROUTE = { path: `${PIPELINE}/events`, operationId: 'streamPipelineEvents' } as const;

/** Prometheus metrics, in its text format, behind the token like every route but the probes. */
export const METRICS_PATH = '/metrics';

export interface CommandRoute {
  method: 'post' | 'delete';
  path: string;
  operationId: string;
  summary: string;
  accepted: string;
}

/** How each command is reached over HTTP: the one list the router and the OpenAPI document both register from. */
export const COMMAND_ROUTES: Record<Command, CommandRoute> = {
  stop: {
    method: 'post',
    path: `${PIPELINE}/stop`,
    operationId: 'stopPipeline',
    summary: 'Stop a pipeline gracefully, letting in-flight messages drain first',
    accepted: 'Accepted: the pipeline is Stopping; or already under way or done',
  },
  terminate: {
    method: 'post',
    path: `${PIPELINE}/terminate`,
    operationId: 'terminatePipeline',
    summary: 'Terminate a pipeline at once; unprocessed messages stay in their streams',
    accepted: 'Accepted: the pipeline is Terminating; or already under way or done',
  },
  resume: {
    method: 'post',
    path: `${PIPELINE}/resume`,
    operationId: 'resumePipeline',
    summary: 'Resume a Stopped pipeline',
    accepted: 'Accepted: the pipeline is Resuming; or already under way or done',
  },
  delete: {
    method: 'delete',
    path: PIPELINE,
    operationId: 'deletePipeline',
    summary: 'Delete a Stopped pipeline and every resource it owns',
    accepted: 'Deleted: every resource is removed and the id can be used again',
  },
};

/**
 * How the spec is changed over HTTP: an edit with a whole spec, a rollback to an earlier revision, also an edit, and a
 * scale of one component's replicas.
 */
export const EDIT_ROUTES = {
  edit: { method: 'put', path: PIPELINE, operationId: 'editPipeline' },
  rollback: { method: 'post', path: `${PIPELINE}/rollback`, operationId: 'rollbackPipeline' },
  scale: { method: 'patch', path: `${PIPELINE}/components/:name`, operationId: 'scaleComponent' },
} as const;

export function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}

/** The statuses in which the status machine refuses `action`, for its 409. */
export function statusesRefusing(action: Action): PipelineStatus[] {
  return PIPELINE_STATUSES.filter((status) => decide(action, status).outcome === 'refuse');
}
