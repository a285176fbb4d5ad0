import type Router from '@koa/router';
import type { Context } from 'koa';
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { PipelineSpec } from '../pipeline/pipeline-spec';
import { COMMANDS } from '../pipeline/status-machine';
import { ApiError } from './api-error';
import { COMMAND_ROUTES, EDIT_ROUTES, PIPELINES, READ_ROUTES } from './paths';
import type { EditAnswer, Pipelines } from './pipeline-gateway';
import { healthBody, historyBody, pipelineBody, summaryBody } from './response-bodies';
import {
  CreatePipelineSchema,
  EditPipelineSchema,
  ListQuerySchema,
  PipelineIdSchema,
  PipelineQuerySchema,
  RequestIdSchema,
  RollbackQuerySchema,
} from './schemas';
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
export const COMMAND_OUTCOME_HEADER = 'Weir-Command-Outcome';

const idParams = z.object({ id: PipelineIdSchema });

/** Adds the pipeline routes to `router`. */
export function pipelineRoutes(router: Router, gateway: Pipelines): void {
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

  for (const command of COMMANDS) {
    const { method, path } = COMMAND_ROUTES[command];
    router[method](
      path,
      validated({ params: idParams }, async ({ params }, ctx) => {
        const { requestId } = requestIdOf(ctx);
        const result = await gateway.command(params.id, command, requestId);
        ctx.set(COMMAND_OUTCOME_HEADER, result.outcome);
        ctx.status = 204;
      }),
    );
  }

  const answerEdit = (ctx: Context, { outcome, record }: EditAnswer) => {
    ctx.set(COMMAND_OUTCOME_HEADER, outcome);
    ctx.body = pipelineBody(record);
  };

  router.put(
    EDIT_ROUTES.edit.path,
    validated({ params: idParams, body: EditPipelineSchema }, async ({ params, body }, ctx) => {
      if (body.pipeline_id !== undefined && body.pipeline_id !== params.id) {
        throw new ApiError('VALIDATION_FAILED', `invalid body: pipeline_id: must be ${params.id}, the id in the path`, {
          fields: { pipeline_id: `must be ${params.id}, the id in the path` },
        });
      }
      const { requestId } = requestIdOf(ctx);
      answerEdit(ctx, await gateway.edit(params.id, { spec: { ...body, pipeline_id: params.id } }, requestId));
    }),
  );

  router.post(
    EDIT_ROUTES.rollback.path,
    validated({ params: idParams, query: RollbackQuerySchema }, async ({ params, query }, ctx) => {
      const { requestId } = requestIdOf(ctx);
      answerEdit(ctx, await gateway.edit(params.id, { rollback_to: query.revision }, requestId));
    }),
  );
}

/** A fresh id, or one derived from the request id so that retries of one create agree on it. */
function generatedPipelineId(requestId?: string): string {
  const source = requestId === undefined ? randomUUID() : createHash('sha256').update(requestId).digest('hex');
  return `p-${source.replace(/-/g, '').slice(0, 20)}`;
}
