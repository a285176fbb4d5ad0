import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import { ApiError } from './api-error';
import { bearerAuth } from './bearer-auth';
import { buildOpenApiDocument } from './openapi';
import type { PipelineGateway } from './pipeline-gateway';
import { pipelineRoutes } from './pipeline-routes';

export interface AppOptions {
  gateway: PipelineGateway;
  logger: Logger;
  /** When set, every /api route requires it as a bearer token. */
  token?: string;
  /** Whether the data plane is reachable, for /readyz. */
  natsReachable: () => Promise<boolean>;
}

export function createApp({ gateway, logger, token, natsReachable }: AppOptions): Koa {
  const app = new Koa();
  const openApiDocument = buildOpenApiDocument();

  app.use(async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new ApiError('NOT_FOUND', `no route for ${ctx.method} ${ctx.path}`);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError('INTERNAL', 'internal error');
      if (!(error instanceof ApiError)) logger.error({ err: error, method: ctx.method, path: ctx.path }, 'request failed');
      ctx.status = apiError.status;
      ctx.body = apiError.toBody();
    }
    logger.info({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) }, 'request');
  });

  const probes = new Router();
  probes.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  probes.get('/readyz', async (ctx) => {
    const [temporal, nats] = await Promise.all([gateway.isTemporalReachable(), natsReachable()]);
    const word = (reachable: boolean) => (reachable ? 'reachable' : 'unreachable');
    ctx.status = temporal && nats ? 200 : 503;
    ctx.body = { status: temporal && nats ? 'ready' : 'unavailable', temporal: word(temporal), nats: word(nats) };
  });
  app.use(probes.routes());

  if (token) {
    const auth = bearerAuth(token);
    app.use((ctx, next) => (ctx.path.startsWith('/api') ? auth(ctx, next) : next()));
  }

  const routes = pipelineRoutes(gateway);
  app.use(routes.routes());
  app.use(routes.allowedMethods());

  const docs = new Router();
  docs.get('/api/v1/openapi.json', (ctx) => {
    ctx.body = openApiDocument;
  });
  app.use(docs.routes());

  return app;
}
