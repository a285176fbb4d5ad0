import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import { ApiError } from './api-error';
import { readJsonBody } from './json-body';
import { requireJsonType } from './request-guards';

interface InputSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

type ValidInput<S extends InputSchemas> = { [K in keyof S]: S[K] extends z.ZodType ? z.output<S[K]> : never };

const LOCATIONS = { params: 'path', query: 'query', body: 'body' } as const;

/** A route handler that runs only on input its schemas accept; anything else is a 400 naming the fields. */
export function validated<S extends InputSchemas>(schemas: S, handler: (input: ValidInput<S>, ctx: Context) => Promise<void>): Middleware {
  return async (ctx) => {
    const raw: Record<keyof InputSchemas, () => Promise<unknown>> = {
      params: async () => (ctx as Context & { params: unknown }).params,
      query: async () => ctx.query,
      body: async () => {
        requireJsonType(ctx);
        return readJsonBody(ctx);
      },
    };
    const input: Record<string, unknown> = {};
    for (const key of Object.keys(LOCATIONS) as Array<keyof InputSchemas>) {
      const schema = schemas[key];
      if (!schema) continue;
      const parsed = schema.safeParse(await raw[key]());
      if (!parsed.success) throw ApiError.validation(parsed.error, LOCATIONS[key]);
      input[key] = parsed.data;
    }
    await handler(input as ValidInput<S>, ctx);
  };
}
