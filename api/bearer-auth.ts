import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { ApiError } from './api-error';
import { SAFE_METHODS, isSameOriginRequest } from './request-guards';
import { SESSION_COOKIE, isValidSession } from './session-cookie';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether `given` is the token, compared in constant time. */
export function isToken(token: string, given: string): boolean {
  return timingSafeEqual(digest(given), digest(token));
}

/** Whether an Authorization header value is `Bearer <token>`; compares in constant time. */
export function bearerMatcher(token: string): (authorization: string | undefined) => boolean {
  return (authorization) => {
    const match = /^Bearer (.+)$/.exec(authorization ?? '');
    return match !== null && isToken(token, match[1]);
  };
}

/**
 * Requires `Authorization: Bearer <token>`, compared in constant time, or the status page's session cookie. A
 * browser sends a cookie by itself, so a state-changing request that only has the cookie must also show that the
 * API's own page sent it.
 */
export function bearerAuth(token: string): Middleware {
  const matches = bearerMatcher(token);
  return async (ctx, next) => {
    if (!matches(ctx.get('authorization'))) {
      if (!isValidSession(token, ctx.cookies.get(SESSION_COOKIE))) {
        ctx.set('WWW-Authenticate', 'Bearer');
        throw new ApiError('UNAUTHORIZED', 'a valid bearer token is required');
      }
      if (!SAFE_METHODS.has(ctx.method) && !isSameOriginRequest(ctx)) {
        throw new ApiError('FORBIDDEN', `a ${ctx.method} with the session cookie must come from the status page of this API`);
      }
    }
    await next();
  };
}
