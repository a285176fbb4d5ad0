import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { ApiError } from './api-error';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether an Authorization header value is `Bearer <token>`; compares in constant time. */
export function bearerMatcher(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(token);
  return (authorization) => {
    const match = /^Bearer (.+)$/.exec(authorization ?? '');
    return match !== null && timingSafeEqual(digest(match[1]), expected);
  };
}

/** Requires `Authorization: Bearer <token>`. */
export function bearerAuth(token: string): Middleware {
  const matches = bearerMatcher(token);
  return async (ctx, next) => {
    if (!matches(ctx.get('authorization'))) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new ApiError('UNAUTHORIZED', 'a valid bearer token is required');
    }
    await next();
  };
}
