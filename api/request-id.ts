import type { Context } from 'koa';
import { randomUUID } from 'node:crypto';
import { RequestIdSchema } from './schemas';

/** The caller's X-Request-Id when it is usable, so a retried request is deduplicated; otherwise a fresh one. */
export function requestIdOf(ctx: Context): { requestId: string; given: boolean } {
  const given = ctx.get('x-request-id');
  const usable = RequestIdSchema.safeParse(given).success;
  const requestId = usable ? given : randomUUID();
  ctx.set('X-Request-Id', requestId);
  return { requestId, given: usable };
}
