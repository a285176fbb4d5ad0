import Router from '@koa/router';
import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import type { PipelineSpec } from '../workflows/pipeline-spec';
import type { Command } from '../workflows/status-machine';
import { ApiError } from './api-error';
import { componentHealth } from './component-health';
import { readJsonBody } from './json-body';
import type { PipelineGateway, PipelineRecord } from './pipeline-gateway';
import { CreatePipelineSchema, ListQuerySchema, PipelineIdSchema } from './schemas';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

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

/** The caller's X-Request-Id when it is usable, so a retried command is deduplicated; otherwise a fresh one. */
function requestIdOf(ctx: Context): string {
  const given = ctx.get('x-request-id');
  return REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
}

export function pipelineRoutes(gateway: PipelineGateway): Router {
  const router = new Router({ prefix: '/api/v1/pipeline' });

  router.post('/', async (ctx) => {
    const parsed = CreatePipelineSchema.safeParse(await readJsonBody(ctx));
    if (!parsed.success) throw ApiError.validation(parsed.error, 'body');
    const spec: PipelineSpec = { ...parsed.data, pipeline_id: parsed.data.pipeline_id ?? generatedPipelineId() };
    ctx.status = 201;
    ctx.body = pipelineOf(await gateway.create(spec));
  });

  router.get('/', async (ctx) => {
    const parsed = ListQuerySchema.safeParse(ctx.query);
    if (!parsed.success) throw ApiError.validation(parsed.error, 'query');
    ctx.body = (await gateway.list(parsed.data.status)).map(summaryOf);
  });

  router.get('/:id', async (ctx) => {
    ctx.body = pipelineOf(await gateway.get(pipelineIdParam(ctx)));
  });

  router.get('/:id/health', async (ctx) => {
    ctx.body = healthOf(await gateway.get(pipelineIdParam(ctx)));
  });

  router.get('/:id/history', async (ctx) => {
    const view = await gateway.view(pipelineIdParam(ctx));
    ctx.body = { pipeline_id: view.pipeline_id, overall_status: view.overall_status, transitions: view.transitions };
  });

  const commandRoute = (command: Command) => async (ctx: Context) => {
    const pipelineId = pipelineIdParam(ctx);
    const requestId = requestIdOf(ctx);
    ctx.set('X-Request-Id', requestId);
    const result = await gateway.command(pipelineId, command, requestId);
    ctx.set('Weir-Command-Outcome', result.outcome);
    ctx.status = 204;
  };
  router.post('/:id/stop', commandRoute('stop'));
  router.post('/:id/terminate', commandRoute('terminate'));
  router.post('/:id/resume', commandRoute('resume'));
  router.delete('/:id', commandRoute('delete'));

  return router;
}

function generatedPipelineId(): string {
  return `p-${randomUUID().replace(/-/g, '').slice(0, 20)}`;
}
