import type { Context, Middleware } from 'koa';
import { ApiError } from './api-error';

/** Paths that answer without a token and whatever the Host: liveness and readiness probes, matched exactly as spelled. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1'];
const WILDCARD_BINDS = new Set(['0.0.0.0', '::']);
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface HostPolicy {
  /** The address the API binds to. */
  bindHost: string;
  /** Further host names clients may use to reach the API (for example a DNS name in front of it). */
  allowedHosts: string[];
}

/**
 * Host names a request may carry. A loopback-bound API answers only to loopback names, so a DNS-rebinding page
 * cannot reach it under a name of its own; undefined means any (a wildcard bind with no list, guarded by the token).
 */
export function acceptedHostNames({ bindHost, allowedHosts }: HostPolicy): ReadonlySet<string> | undefined {
  if (WILDCARD_BINDS.has(bindHost) && allowedHosts.length === 0) return undefined;
  const names = WILDCARD_BINDS.has(bindHost) ? allowedHosts : [bindHost, ...LOOPBACK_NAMES, ...allowedHosts];
  return new Set(names.map((name) => name.toLowerCase()));
}

/** The host name of a Host header value, without port and brackets; undefined when it is not a valid authority. */
export function hostNameOf(hostHeader: string): string | undefined {
  if (!hostHeader || /[\s/\\?#@]/.test(hostHeader)) return undefined;
  try {
    return new URL(`http://${hostHeader}`).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  } catch {
    return undefined;
  }
}

/** Refuses a request whose Host the API does not answer to (DNS rebinding). Probes are exempt: orchestrators send an address. */
export function hostGuard(policy: HostPolicy): Middleware {
  const accepted = acceptedHostNames(policy);
  return async (ctx, next) => {
    if (accepted && !OPEN_PATHS.has(ctx.path)) {
      const name = hostNameOf(ctx.get('host'));
      if (name === undefined || !accepted.has(name)) {
        throw new ApiError('FORBIDDEN', `this API does not answer to the host ${JSON.stringify(ctx.get('host'))}`);
      }
    }
    await next();
  };
}

/**
 * Refuses a state-changing request that a browser sent from a page of another origin. Browsers mark such requests
 * with Sec-Fetch-Site and Origin; other clients send neither and pass. `allowedOrigins` lists pages that may, such as a UI.
 */
export function crossSiteGuard(allowedOrigins: string[]): Middleware {
  const allowed = new Set(allowedOrigins);
  return async (ctx, next) => {
    if (!SAFE_METHODS.has(ctx.method)) {
      const refusal = crossSiteRefusal(ctx, allowed);
      if (refusal) throw new ApiError('FORBIDDEN', refusal);
    }
    await next();
  };
}

function crossSiteRefusal(ctx: Context, allowedOrigins: ReadonlySet<string>): string | undefined {
  const origin = ctx.get('origin');
  if (origin && allowedOrigins.has(origin)) return undefined;
  if (origin && !isSameOrigin(origin, ctx.get('host'))) return `a ${ctx.method} from the page origin ${JSON.stringify(origin)} is refused`;
  const site = ctx.get('sec-fetch-site').toLowerCase();
  if (site && site !== 'same-origin' && site !== 'none') return `a ${site} ${ctx.method} from a browser page is refused`;
  return undefined;
}

/** True when a browser marked the request as sent by a page of the API's own origin. */
export function isSameOriginRequest(ctx: Context): boolean {
  const origin = ctx.get('origin');
  return origin ? isSameOrigin(origin, ctx.get('host')) : ctx.get('sec-fetch-site').toLowerCase() === 'same-origin';
}

function isSameOrigin(origin: string, hostHeader: string): boolean {
  try {
    const { host, protocol } = new URL(origin);
    return (protocol === 'http:' || protocol === 'https:') && host.toLowerCase() === hostHeader.toLowerCase();
  } catch {
    return false;
  }
}

/** Refuses a request that declares a body of any type but JSON; readJsonBody also refuses a body with no type. */
export const jsonBodiesOnly: Middleware = async (ctx, next) => {
  if (ctx.get('content-type')) requireJsonType(ctx);
  await next();
};

export function requireJsonType(ctx: Context): void {
  if (ctx.request.type.trim().toLowerCase() !== 'application/json') {
    const declared = ctx.get('content-type');
    throw new ApiError(
      'UNSUPPORTED_MEDIA_TYPE',
      `request bodies must be application/json, not ${declared ? JSON.stringify(declared) : 'untyped'}`,
    );
  }
}
