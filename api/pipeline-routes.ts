import Router from '@koa/router';
import { createHash, randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import type { PipelineSpec } from '../workflows/pipeline-spec';
import type { Command } from '../workflows/status-machine';
import { ApiError } from './api-error';
import { componentHealth } from './component-health';
import { readJsonBody } from './json-body';
import { requireJsonType } from './request-guards';
import type { PipelineGateway, PipelineRecord } from './pipeline-gateway';
import { CreatePipelineSchema, ListQuerySchema, PipelineIdSchema, RequestIdSchema } from './schemas';

const summaryOf = ({ pipeline_id, pipeline_name, overall_status, created_at, updated_at }: PipelineRecord) => ({
  pipeline_id,
  pipeline_name,
  overall_status,
  created_at,
  updated_at,
});

const statusOf = (record: PipelineRecord) => ({ ...summaryOf(record), failure: record.failure });

const healthOf = (record: PipelineRecord) => ({
  ...statusOf(record),
  components: componentHealth(record.spec, record.overall_status, record.failure, record.observation),
  observed_at: record.observation?.at ?? null,
});

const pipelineOf = (record: PipelineRecord) => ({ ...statusOf(record), name: record.spec.name, components: record.spec.components });

function pipelineIdParam(ctx: Context): string {
  const parsed = PipelineIdSchema.safeParse(ctx.params.id);
  if (!parsed.success) throw ApiError.validation(parsed.error, 'path');
  return parsed.data;
}

/** The caller's X-Request-Id when it is usable, so a retried request is deduplicated; otherwise a fresh one. */
function requestIdOf(ctx: Context): { requestId: string; given: boolean } {
  const given = ctx.get('x-request-id');
  const usable = RequestIdSchema.safeParse(given).success;
  const requestId = usable ? given : randomUUID();
  ctx.set('X-Request-Id', requestId);
  return { requestId, given: usable };
}

const PIPELINES = '/api/v1/pipeline';
const PIPELINE = `${PIPELINES}/:id`;
export const NEXT_PAGE_TOKEN_HEADER = 'Weir-Next-Page-Token';

/** Adds the pipeline routes to `router`. */
export function pipelineRoutes(router: Router, gateway: PipelineGateway): void {
  router.post(PIPELINES, async (ctx) => {
    requireJsonType(ctx);
    const parsed = CreatePipelineSchema.safeParse(await readJsonBody(ctx));
    if (!parsed.success) throw ApiError.validation(parsed.error, 'body');
    const { requestId, given } = requestIdOf(ctx);
    // A retried create without an id must name the same pipeline as the first, so the id derives from the request id.
    const pipelineId = parsed.data.pipeline_id ?? generatedPipelineId(given ? requestId : undefined);
    const spec: PipelineSpec = { ...parsed.data, pipeline_id: pipelineId };
    ctx.status = 201;
    ctx.body = pipelineOf(await gateway.create(spec, requestId));
  });

  router.get(PIPELINES, async (ctx) => {
    const parsed = ListQuerySchema.safeParse(ctx.query);
    if (!parsed.success) throw ApiError.validation(parsed.error, 'query');
    const page = await gateway.list(parsed.data.status, parsed.data.limit, parsed.data.page_token);
    if (page.nextPageToken) ctx.set(NEXT_PAGE_TOKEN_HEADER, page.nextPageToken);
    ctx.body = page.records.map(summaryOf);
  });

  router.get(PIPELINE, async (ctx) => {
    ctx.body = pipelineOf(await gateway.get(pipelineIdParam(ctx)));
  });

  router.get(`${PIPELINE}/health`, async (ctx) => {
    ctx.body = healthOf(await gateway.get(pipelineIdParam(ctx)));
  });

  router.get(`${PIPELINE}/history`, async (ctx) => {
    const view = await gateway.view(pipelineIdParam(ctx));
    ctx.body = { pipeline_id: view.pipeline_id, overall_status: view.overall_status, transitions: view.transitions };
  });

  const commandRoute = (command: Command) => async (ctx: Context) => {
    const pipelineId = pipelineIdParam(ctx);
    const { requestId } = requestIdOf(ctx);
    const result = await gateway.command(pipelineId, command, requestId);
    ctx.set('Weir-Command-Outcome', result.outcome);
    ctx.status = 204;
  };
  router.post(`${PIPELINE}/stop`, commandRoute('stop'));
  router.post(`${PIPELINE}/terminate`, commandRoute('terminate'));
  router.post(`${PIPELINE}/resume`, commandRoute('resume'));
  router.delete(PIPELINE, commandRoute('delete'));
}

/** A fresh id, or one derived from the request id so that retries of one create agree on it. */
function generatedPipelineId(requestId?: string): string {
  const source = requestId === undefined ? randomUUID() : createHash('sha256').update(requestId).digest('hex');
  return `p-${source.replace(/-/g, '').slice(0, 20)}`;
}
