import type Router from '@koa/router';
import type { Context } from 'koa';
import { createHash, randomUUID } from 'node:crypto';
import { commandRoutes, type CommandRouteDependencies } from './command-routes';
import { z } from 'zod';
import type { PipelineSpec } from '../pipeline/pipeline-spec';
import type { SecretDirectory } from '../secret-directory';
import { sendComponentLogs, type ComponentLogSource } from './component-logs';
import { ApiError } from './api-error';
import { COMMAND_OUTCOME_HEADER, COMPONENT_LOGS_ROUTE, EDIT_ROUTES, PIPELINES, READ_ROUTES } from './paths';
import type { EditAnswer } from './pipeline-gateway';
import { healthBody, historyBody, pipelineBody, summaryBody } from './response-bodies';
import { requestIdOf } from './request-id';
import {
  ComponentNameSchema,
  CreatePipelineSchema,
  EditPipelineSchema,
  EditQuerySchema,
  ListQuerySchema,
  LogsQuerySchema,
  PipelineIdSchema,
  PipelineQuerySchema,
  RollbackQuerySchema,
  ScaleComponentSchema,
} from './schemas';
import { validated } from './validated';

export const NEXT_PAGE_TOKEN_HEADER = 'Weir-Next-Page-Token';

const idParams = z.object({ id: PipelineIdSchema });
const componentParams = idParams.extend({ name: ComponentNameSchema });

/** Where the logs route reads components' logs, and the secrets whose values it masks in them. */
export interface ComponentLogs {
  source: ComponentLogSource;
  secrets: SecretDirectory;
}

/** Adds the pipeline routes to `router`. */
export function pipelineRoutes(router: Router, dependencies: CommandRouteDependencies & { logs: ComponentLogs }): void {
  const { gateway, watchers, logs } = dependencies;
  router.post(
    PIPELINES,
    validated({ body: CreatePipelineSchema }, async ({ body }, ctx) => {
      const { requestId, given } = requestIdOf(ctx);
      // A retried create without an id must name the same pipeline as the first, so the id derives from the request id.
      const pipelineId = body.pipeline_id ?? generatedPipelineId(given ? requestId : undefined);
      const spec: PipelineSpec = { ...body, pipeline_id: pipelineId };
      const created = await gateway.create(spec, requestId);
      watchers.followNew(created.pipeline_id);
      ctx.status = 201;
      ctx.body = pipelineBody(created);
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
    validated({ params: idParams, query: PipelineQuerySchema }, async ({ params, query }, ctx) => {
      ctx.body = pipelineBody(await (query.revision === undefined ? gateway.get(params.id) : gateway.revision(params.id, query.revision)));
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

  commandRoutes(router, dependencies);

  // A rolling edit under way answers 202: the pipeline is draining, and takes the edit once Stopped.
  const answerEdit = (ctx: Context, { outcome, record }: EditAnswer) => {
    ctx.set(COMMAND_OUTCOME_HEADER, outcome);
    if (typeof record.rolling_edit === 'number') ctx.status = 202;
    ctx.body = pipelineBody(record);
  };

  router.put(
    EDIT_ROUTES.edit.path,
    validated({ params: idParams, query: EditQuerySchema, body: EditPipelineSchema }, async ({ params, query, body }, ctx) => {
      if (body.pipeline_id !== undefined && body.pipeline_id !== params.id) {
        throw new ApiError('VALIDATION_FAILED', `invalid body: pipeline_id: must be ${params.id}, the id in the path`, {
          fields: { pipeline_id: `must be ${params.id}, the id in the path` },
        });
      }
      const { requestId } = requestIdOf(ctx);
      answerEdit(ctx, await gateway.edit(params.id, { spec: { ...body, pipeline_id: params.id }, ...applied(query) }, requestId));
    }),
  );

  router.post(
    EDIT_ROUTES.rollback.path,
    validated({ params: idParams, query: RollbackQuerySchema }, async ({ params, query }, ctx) => {
      const { requestId } = requestIdOf(ctx);
      answerEdit(ctx, await gateway.edit(params.id, { rollback_to: query.revision, ...applied(query) }, requestId));
    }),
  );

  router.patch(
    EDIT_ROUTES.scale.path,
    validated({ params: componentParams, body: ScaleComponentSchema }, async ({ params, body }, ctx) => {
      const { requestId } = requestIdOf(ctx);
      answerEdit(ctx, await gateway.scale(params.id, { component: params.name, replicas: body.replicas }, requestId));
    }),
  );
}

/** How the edit is to be applied, as the workflow takes it: `rolling` only when asked for. */
function applied({ apply }: { apply?: 'rolling' }): { rolling?: true } {
  return apply === 'rolling' ? { rolling: true } : {};
}

/** A fresh id, or one derived from the request id so that retries of one create agree on it. */
function generatedPipelineId(requestId?: string): string {
  const source = requestId === undefined ? randomUUID() : createHash('sha256').update(requestId).digest('hex');
  return `p-${source.replace(/-/g, '').slice(0, 20)}`;
}
