import type Router from '@koa/router';
import type { Context } from 'koa';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PIPELINE_STATUSES } from '../pipeline/status-machine';
import { ApiError } from './api-error';
import { isToken } from './bearer-auth';
import { readJsonBody } from './json-body';
import { requireJsonType } from './request-guards';
import { SESSION_COOKIE, SESSION_SECONDS, newSessionValue } from './session-cookie';

const PAGE_DIR = path.join(__dirname, 'status-page');

/** What the page may load and connect to: its own files and the API, nothing inline, nothing from elsewhere. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The page's assets, by the path they are served at; the pages themselves are served at / and /login. */
const ASSETS = ['status.css', 'status.js', 'login.js', 'icon.svg'];
export const ASSET_PATH = '/status-page';
export const LOGIN_PATH = '/login';
export const SESSION_PATH = '/session';

/** Paths open without the token: the sign-in page, what it loads, and the exchange of the token for a session. */
export const SIGN_IN_PATHS: ReadonlySet<string> = new Set([
  LOGIN_PATH,
  SESSION_PATH,
  `${ASSET_PATH}/login.js`,
  `${ASSET_PATH}/status.css`,
  `${ASSET_PATH}/icon.svg`,
]);

export interface StatusPageOptions {
  /** The API token; without one there is no sign-in. */
  token?: string;
  /** The Temporal Web UI, e.g. http://127.0.0.1:8233. */
  temporalUiUrl: string;
  namespace: string;
}

interface StaticFile {
  type: string;
  body: string;
}

const SessionBodySchema = z.strictObject({ token: z.string().max(4096) });

/** Serves the status page at `/`, its sign-in page and assets, and the session cookie's sign-in and sign-out. */
export function statusPageRoutes(router: Router, { token, temporalUiUrl, namespace }: StatusPageOptions): void {
  const file = (name: string): StaticFile => ({
    type: CONTENT_TYPES[path.extname(name)],
    body: readFileSync(path.join(PAGE_DIR, name), 'utf8'),
  });
  const index = file('index.html');
  index.body = fill(index.body, {
    TEMPORAL_WORKFLOWS: `${temporalUiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/`,
    STATUSES: PIPELINE_STATUSES.join(','),
    SIGNED_IN: String(token !== undefined),
  });
  const login = file('login.html');
  const assets = new Map(ASSETS.map((name) => [name, file(name)]));

  const serve = (ctx: Context, served: StaticFile) => {
    ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = served.type;
    ctx.body = served.body;
  };

  router.get('/', (ctx) => serve(ctx, index));
  router.get(LOGIN_PATH, (ctx) => (token === undefined ? ctx.redirect('/') : serve(ctx, login)));
  router.get(`${ASSET_PATH}/:name`, (ctx) => {
    const served = assets.get(ctx.params.name);
    if (!served) throw new ApiError('NOT_FOUND', `no file ${ctx.params.name} in the status page`);
    serve(ctx, served);
  });

  router.post(SESSION_PATH, async (ctx) => {
    requireJsonType(ctx);
    const parsed = SessionBodySchema.safeParse(await readJsonBody(ctx));
    if (!parsed.success) throw ApiError.validation(parsed.error, 'body');
    if (token === undefined) throw new ApiError('NOT_FOUND', 'this API has no token, so the status page needs no sign-in');
    if (!isToken(token, parsed.data.token)) throw new ApiError('UNAUTHORIZED', 'that is not the API token');
    ctx.cookies.set(SESSION_COOKIE, newSessionValue(token), cookieOptions(ctx.secure, SESSION_SECONDS * 1000));
    ctx.status = 204;
  });
  router.delete(SESSION_PATH, (ctx) => {
    ctx.cookies.set(SESSION_COOKIE, '', cookieOptions(ctx.secure, 0));
    ctx.status = 204;
  });
}

/** HttpOnly: no script reads it; SameSite=Strict: no other site's page makes the browser send it. */
function cookieOptions(secure: boolean, maxAge: number) {
  return { httpOnly: true, sameSite: 'strict' as const, path: '/', secure, maxAge, overwrite: true };
}

/** Replaces each {{NAME}} with its value, escaped for an HTML attribute. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => escapeAttribute(values[name] ?? ''));
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
