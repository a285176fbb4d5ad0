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
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError('MALFORMED_JSON', `request body is not valid JSON: ${(error as Error).message}`);
  }
}
