import type Router from '@koa/router';
import type { Context } from 'koa';
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { ApiError } from './api-error';
import type { ApiMetrics } from './metrics';
import { EVENTS_ROUTE } from './paths';
import type { PipelineEvent } from './pipeline-watcher';
import type { PipelineWatchers } from './pipeline-watchers';
import { LastEventIdSchema, PipelineIdSchema } from './schemas';
import { validated } from './validated';

/** How long a client waits before reconnecting, told in the stream's first line. */
export const RECONNECT_MS = 2000;
/** A comment line this often keeps proxies and idle timers from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;

export interface EventStreamDependencies {
  watchers: PipelineWatchers;
  metrics: ApiMetrics;
}

const idParams = z.object({ id: PipelineIdSchema });

/**
 * GET /pipeline/{id}/events: a Server-Sent Events stream of the pipeline's transitions, health and drain progress,
 * served from the pipeline's shared watcher. With Last-Event-ID it resumes after that transition, from the ledger.
 */
export function eventStreamRoute(router: Router, { watchers, metrics }: EventStreamDependencies): void {
  router.get(
    EVENTS_ROUTE.path,
    validated({ params: idParams }, async ({ params }, ctx) => {
      const after = lastEventIdOf(ctx);
      await watchers.exists(params.id);
      const stream = new PassThrough();
      ctx.req.socket.setTimeout(0);
      ctx.req.socket.setNoDelay(true);
      ctx.status = 200;
      ctx.type = 'text/event-stream';
      ctx.set('Cache-Control', 'no-cache');
      ctx.set('X-Accel-Buffering', 'no');
      ctx.body = stream;
      stream.write(`retry: ${RECONNECT_MS}\n\n`);
      metrics.streamOpened();

      const keepAlive = setInterval(() => stream.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(keepAlive);
        metrics.streamClosed();
        stream.end();
        // The watcher may end the stream while subscribe has not yet returned the way to leave.
        queueMicrotask(() => leave());
      };
      ctx.res.once('close', close);
      const leave = watchers.subscribe(params.id, {
        wantsHealth: true,
        after,
        send: (event) => {
          if (!closed) stream.write(formatEvent(event));
        },
        ended: close,
      });
    }),
  );
}

/** One event in the SSE wire format; JSON text holds no line breaks, so `data` is a single line. */
export function formatEvent(event: PipelineEvent): string {
  const id = 'id' in event ? `id: ${event.id}\n` : '';
  return `${id}event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

function lastEventIdOf(ctx: Context): number | undefined {
  const header = ctx.get('last-event-id');
  if (header === '') return undefined;
  const parsed = LastEventIdSchema.safeParse(header);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues[0]?.message ?? 'is invalid';
  throw new ApiError('VALIDATION_FAILED', `invalid header: Last-Event-ID: ${message}`, { fields: { 'Last-Event-ID': message } });
}
