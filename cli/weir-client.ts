import { randomUUID } from 'node:crypto';
import { CliError, EXIT, apiErrorMessage, type ApiErrorBody } from './cli-error';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** HTTP calls to a Weir API, with its token; a failed request becomes a CliError with the API's message. */
export class WeirClient {
  private readonly base: URL;

  constructor(
    url: string,
    private readonly token: string | undefined,
  ) {
    let base: URL;
    try {
      base = new URL(url);
    } catch {
      throw new CliError(`WEIR_URL is not a URL: ${JSON.stringify(url)}`, EXIT.usage);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:')
      throw new CliError(`WEIR_URL must be http or https, not ${base.protocol}`, EXIT.usage);
    this.base = base;
  }

  get url(): string {
    return this.base.origin;
  }

  /** A JSON request; answers with the parsed body, or throws on any status the caller did not expect. */
  async json(method: string, path: string, options: { body?: unknown; accept?: number[] } = {}): Promise<Answer> {
    const response = await this.send(method, path, options.body);
    const text = await response.text();
    const body = text ? parseJson(text, path) : undefined;
    const accepted = options.accept ?? [200];
    if (!accepted.includes(response.status)) throw new CliError(apiErrorMessage(response.status, body as ApiErrorBody), EXIT.failed);
    return { status: response.status, headers: response.headers, body };
  }

  /** A request whose body the caller reads as a stream (logs, events); throws unless it answers 200. */
  async stream(path: string, accept: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const response = await this.send('GET', path, undefined, { accept }, signal);
    if (response.status !== 200 || !response.body) {
      const text = await response.text();
      throw new CliError(apiErrorMessage(response.status, text ? (parseJson(text, path) as ApiErrorBody) : undefined), EXIT.failed);
    }
    return response.body;
  }

  private async send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<Response> {
    const url = new URL(path, this.base);
    try {
      return await fetch(url, {
        method,
        signal,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          // Commands and create are idempotent under a request id; one is sent so the history names this call.
          ...(method === 'GET' ? {} : { 'x-request-id': `cli-${randomUUID()}` }),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach Weir at ${this.base.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message} (set WEIR_URL)`,
        EXIT.unreachable,
      );
    }
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`the API answered ${path} with something that is not JSON: ${text.slice(0, 200)}`, EXIT.failed);
  }
}
