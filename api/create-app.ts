import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import { ApiError } from './api-error';
import { bearerAuth } from './bearer-auth';
import { eventStreamRoute } from './event-stream';
import type { ApiMetrics } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { METRICS_PATH } from './paths';
import type { Pipelines } from './pipeline-gateway';
import { pipelineRoutes, type ComponentLogs } from './pipeline-routes';
import type { PipelineWatchers } from './pipeline-watchers';
import { OPEN_PATHS, crossSiteGuard, hostGuard, jsonBodiesOnly, type HostPolicy } from './request-guards';
import { LOGIN_PATH, SIGN_IN_PATHS, statusPageRoutes } from './status-page';

export interface AppOptions extends HostPolicy {
  gateway: Pipelines;
  /** Where components' logs are read. */
  logs: ComponentLogs;
  watchers: PipelineWatchers;
  metrics: ApiMetrics;
  logger: Logger;
  /** When set, every route but the probes requires it as a bearer token. */
  token?: string;
  /** Origins of browser pages that may send state-changing requests. */
  allowedOrigins: string[];
  /** Whether the data plane is reachable, for /readyz. */
  natsReachable: () => Promise<boolean>;
  /** Where the status page links each pipeline's workflow: the Temporal Web UI and the namespace. */
  temporalUi: { url: string; namespace: string };
}

export function createApp({
  gateway,
  logs,
  watchers,
  metrics,
  logger,
  token,
  natsReachable,
  allowedOrigins,
  temporalUi,
  ...hostPolicy
}: AppOptions): Koa {
  const app = new Koa();
  const openApiDocument = buildOpenApiDocument();
  // Errors while a streamed body is sent; a client that leaves a streamed response (a followed log) is no failure.
  app.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') logger.error({ err: error }, 'response failed');
  });

  app.use(async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
      const unmatched = unmatchedRouteError(ctx.status, ctx.body, ctx.method, ctx.path, ctx.response.get('allow'));
      if (unmatched) throw unmatched;
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError('INTERNAL', 'internal error');
      if (!(error instanceof ApiError)) logger.error({ err: error, method: ctx.method, path: ctx.path }, 'request failed');
      ctx.status = apiError.status;
      ctx.body = apiError.toBody();
    }
    logger.info({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) }, 'request');
  });

  // A client that leaves an event stream ends its response early; that is how streams end, not a failure.
  app.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') logger.error({ err: error }, 'response failed');
  });

  app.use(hostGuard(hostPolicy));
  if (token) {
    const auth = bearerAuth(token);
    // Everything but the probes and the sign-in, however its path is spelled: the exemption matches the raw path exactly.
    app.use(async (ctx, next) => {
      if (OPEN_PATHS.has(ctx.path) || SIGN_IN_PATHS.has(ctx.path)) return next();
      try {
        await auth(ctx, next);
      } catch (error) {
        // A browser that opens the status page without a session is sent to sign in.
        if (!(error instanceof ApiError && error.code === 'UNAUTHORIZED' && ctx.path === '/' && ctx.method === 'GET')) throw error;
        ctx.redirect(LOGIN_PATH);
      }
    });
  }
  app.use(crossSiteGuard(allowedOrigins));
  app.use(jsonBodiesOnly);

  // Case-sensitive and strict, so each route has exactly one spelling.
  const router = new Router({ sensitive: true, strict: true });
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const [temporal, nats] = await Promise.all([gateway.isTemporalReachable(), natsReachable()]);
    const word = (reachable: boolean) => (reachable ? 'reachable' : 'unreachable');
    ctx.status = temporal && nats ? 200 : 503;
    ctx.body = { status: temporal && nats ? 'ready' : 'unavailable', temporal: word(temporal), nats: word(nats) };
  });
  router.get('/api/v1/openapi.json', (ctx) => {
    ctx.body = openApiDocument;
  });
  statusPageRoutes(router, { token, temporalUiUrl: temporalUi.url, namespace: temporalUi.namespace });
  router.get(METRICS_PATH, async (ctx) => {
    const { contentType, text } = await metrics.exposition();
    ctx.type = contentType;
    ctx.body = text;
  });
  pipelineRoutes(router, { gateway, logs, watchers, metrics });
  eventStreamRoute(router, { watchers, metrics });
  app.use(router.routes());
  app.use(router.allowedMethods());

  return app;
}

/**
 * The JSON error for a request no route answered: 405 with the Allow header the router set when the path exists
 * under other methods, else 404. The router's 501 for an unknown method becomes one of those two.
 */
function unmatchedRouteError(status: number, body: unknown, method: string, path: string, allow: string): ApiError | undefined {
  if (body !== undefined && body !== null && body !== '') return undefined;
  if (status === 405 || (status === 501 && allow))
    return new ApiError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}; allowed: ${allow}`);
  if (status === 404 || status === 501) return new ApiError('NOT_FOUND', `no route for ${method} ${path}`);
  return undefined;
}
