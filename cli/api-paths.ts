import { COMMAND_ROUTES, COMPONENT_LOGS_ROUTE, EDIT_ROUTES, PIPELINE, PIPELINES } from '../api/paths';
import { ComponentNameSchema, PipelineIdSchema, PipelineStatusSchema } from '../api/schemas';
import type { Command } from '../pipeline/status-machine';
import { CliError, EXIT } from './cli-error';
import type { z } from 'zod';

/**
 * The API's paths (api/paths.ts) for the ids users type, each checked against the API's own grammar first: an id
 * such as `..` would otherwise change the path that URL resolution makes of it.
 */
function checked<T>(schema: z.ZodType<T>, what: string, value: string): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CliError(`${what} ${JSON.stringify(value)}: ${parsed.error.issues[0].message}`, EXIT.usage);
  return encodeURIComponent(value);
}

function withParams(path: string, id: string, component?: string): string {
  return path
    .replace(':id', checked(PipelineIdSchema, 'pipeline id', id))
    .replace(':name', () => checked(ComponentNameSchema, 'component name', component ?? ''));
}

export function pipelinePath(id: string, tail = ''): string {
  return `${withParams(PIPELINE, id)}${tail}`;
}

export function componentLogsPath(id: string, component: string, query: URLSearchParams): string {
  return `${withParams(COMPONENT_LOGS_ROUTE.path, id, component)}?${query}`;
}

export function componentPath(id: string, component: string): string {
  return withParams(EDIT_ROUTES.scale.path, id, component);
}

export function commandRequest(id: string, command: Command, query: URLSearchParams): { method: string; path: string } {
  const { method, path } = COMMAND_ROUTES[command];
  const search = query.toString();
  return { method: method.toUpperCase(), path: `${withParams(path, id)}${search ? `?${search}` : ''}` };
}

export function listPath(status: string | undefined, pageSize: number, pageToken: string | undefined): string {
  const query = new URLSearchParams({ limit: String(pageSize) });
  if (status !== undefined) query.set('status', PipelineStatusSchema.safeParse(status).success ? status : usageError(status));
  if (pageToken !== undefined) query.set('page_token', pageToken);
  return `${PIPELINES}?${query}`;
}

function usageError(status: string): never {
  throw new CliError(`--status ${JSON.stringify(status)}: must be one of ${PipelineStatusSchema.options.join(', ')}`, EXIT.usage);
}
