import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { ApiError } from './api-error';

export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the request body as JSON, refusing bodies over 1 MiB and text that is not JSON. */
export async function readJsonBody(ctx: Context): Promise<unknown> {
  let text: string;
  try {
    text = await getRawBody(ctx.req, { limit: MAX_BODY_BYTES, encoding: 'utf-8', length: ctx.request.length });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') throw new ApiError('PAYLOAD_TOO_LARGE', `request body exceeds ${MAX_BODY_BYTES} bytes`);
    throw new ApiError('MALFORMED_JSON', `request body could not be read: ${(error as Error).message}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new ApiError('MALFORMED_JSON', `request body is not valid JSON: ${(error as Error).message}`);
  }
  const path = protoKeyPath(body);
  if (path) {
    const field = path.join('.');
    throw new ApiError('VALIDATION_FAILED', `invalid body: ${field}: the key __proto__ is not allowed`, {
      fields: { [field]: 'the key __proto__ is not allowed' },
    });
  }
  return body;
}

/**
 * Where the body has a `__proto__` key, if anywhere. JSON.parse keeps it as an own key, but any object rebuilt from
 * the body would drop it silently, so it is refused instead.
 */
function protoKeyPath(value: unknown, path: Array<string | number> = []): Array<string | number> | undefined {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = protoKeyPath(item, [...path, index]);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (key === '__proto__') return [...path, key];
      const found = protoKeyPath((value as Record<string, unknown>)[key], [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}
