import type Router from '@koa/router';
import type { Context } from 'koa';
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { PipelineSpec } from '../pipeline/pipeline-spec';
import { COMMANDS } from '../pipeline/status-machine';
import type { SecretDirectory } from '../secret-directory';
import { sendComponentLogs, type ComponentLogSource } from './component-logs';
import { ApiError } from './api-error';
import { COMMAND_ROUTES, COMPONENT_LOGS_ROUTE, PIPELINES, READ_ROUTES } from './paths';
import type { Pipelines } from './pipeline-gateway';
import { healthBody, historyBody, pipelineBody, summaryBody } from './response-bodies';
import { ComponentNameSchema, CreatePipelineSchema, ListQuerySchema, LogsQuerySchema, PipelineIdSchema, RequestIdSchema } from './schemas';
import { validated } from './validated';

/** The caller's X-Request-Id when it is usable, so a retried request is deduplicated; otherwise a fresh one. */
function requestIdOf(ctx: Context): { requestId: string; given: boolean } {
  const given = ctx.get('x-request-id');
  const usable = RequestIdSchema.safeParse(given).success;
  const requestId = usable ? given : randomUUID();
  ctx.set('X-Request-Id', requestId);
  return { requestId, given: usable };
}

export const NEXT_PAGE_TOKEN_HEADER = 'Weir-Next-Page-Token';

const idParams = z.object({ id: PipelineIdSchema });
const componentParams = idParams.extend({ name: ComponentNameSchema });

/** Where the logs route reads components' logs, and the secrets whose values it masks in them. */
export interface ComponentLogs {
  source: ComponentLogSource;
  secrets: SecretDirectory;
}

/** Adds the pipeline routes to `router`. */
export function pipelineRoutes(router: Router, gateway: Pipelines, logs: ComponentLogs): void {
  router.post(
    PIPELINES,
    validated({ body: CreatePipelineSchema }, async ({ body }, ctx) => {
      const { requestId, given } = requestIdOf(ctx);
      // A retried create without an id must name the same pipeline as the first, so the id derives from the request id.
      const pipelineId = body.pipeline_id ?? generatedPipelineId(given ? requestId : undefined);
      const spec: PipelineSpec = { ...body, pipeline_id: pipelineId };
      ctx.status = 201;
      ctx.body = pipelineBody(await gateway.create(spec, requestId));
    }),
  );

  router.get(
    PIPELINES,
    validated({ query: ListQuerySchema }, async ({ query }, ctx) => {
      const page = await gateway.list(query.status, query.limit, query.page_token);
      if (page.nextPageToken) ctx.set(NEXT_PAGE_TOKEN_HEADER, page.nextPageToken);
      ctx.body = page.records.map(summaryBody);
    }),
  );

  router.get(
    READ_ROUTES.pipeline.path,
    validated({ params: idParams }, async ({ params }, ctx) => {
      ctx.body = pipelineBody(await gateway.get(params.id));
    }),
  );

  router.get(
    READ_ROUTES.health.path,
    validated({ params: idParams }, async ({ params }, ctx) => {
      ctx.body = healthBody(await gateway.get(params.id));
    }),
  );

  router.get(
    READ_ROUTES.history.path,
    validated({ params: idParams }, async ({ params }, ctx) => {
      ctx.body = historyBody(await gateway.view(params.id));
    }),
  );

  router.get(
    COMPONENT_LOGS_ROUTE.path,
    validated({ params: componentParams, query: LogsQuerySchema }, async ({ params, query }, ctx) => {
      const { spec } = await gateway.get(params.id);
      if (!spec.components.some((component) => component.name === params.name)) {
        throw new ApiError('NOT_FOUND', `pipeline ${params.id} has no component ${params.name}`);
      }
      await sendComponentLogs(ctx, logs.source, {
        pipelineId: params.id,
        component: params.name,
        tail: query.tail,
        follow: query.follow === 'true',
        mask: await logs.secrets.maskerFor(spec),
      });
    }),
  );

  for (const command of COMMANDS) {
    const { method, path } = COMMAND_ROUTES[command];
    router[method](
      path,
      validated({ params: idParams }, async ({ params }, ctx) => {
        const { requestId } = requestIdOf(ctx);
        const result = await gateway.command(params.id, command, requestId);
        ctx.set('Weir-Command-Outcome', result.outcome);
        ctx.status = 204;
      }),
    );
  }
}

/** A fresh id, or one derived from the request id so that retries of one create agree on it. */
function generatedPipelineId(requestId?: string): string {
  const source = requestId === undefined ? randomUUID() : createHash('sha256').update(requestId).digest('hex');
  return `p-${source.replace(/-/g, '').slice(0, 20)}`;
}
