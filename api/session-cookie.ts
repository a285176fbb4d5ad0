import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The status page's session: a cookie a browser gets by posting the API token once, so that the page, its scripts
 * and its event streams are behind the token without the page keeping it. The value is an expiry time and an HMAC
 * of it keyed with the token: the API keeps no session state, and a new token ends every session.
 */
export const SESSION_COOKIE = 'weir_session';
export const SESSION_SECONDS = 12 * 60 * 60;

const SESSION_VALUE = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

function signature(token: string, expires: number): Buffer {
  return createHmac('sha256', token).update(`weir-session:${expires}`).digest();
}

export function newSessionValue(token: string, nowMs = Date.now()): string {
  const expires = Math.floor(nowMs / 1000) + SESSION_SECONDS;
  return `${expires}.${signature(token, expires).toString('base64url')}`;
}

export function isValidSession(token: string, value: string | undefined, nowMs = Date.now()): boolean {
  const match = SESSION_VALUE.exec(value ?? '');
  if (!match) return false;
  const expires = Number(match[1]);
  if (expires * 1000 <= nowMs) return false;
  const given = Buffer.from(match[2], 'base64url');
  const expected = signature(token, expires);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
