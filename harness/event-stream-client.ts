import http from 'node:http';

export interface StreamEvent {
  id?: string;
  event: string;
  data: any;
  /** When it arrived, in epoch ms. */
  receivedAt: number;
}

/**
 * A Server-Sent Events client over plain HTTP, as EventSource would read the stream, keeping every event it got so a
 * test can wait for the ones it expects.
 */
export class EventStreamClient {
  readonly events: StreamEvent[] = [];
  status = 0;
  ended = false;
  private buffer = '';
  private waiters: Array<() => void> = [];
  private request?: http.ClientRequest;

  private constructor() {}

  static open(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<EventStreamClient> {
    const client = new EventStreamClient();
    const { hostname, port } = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      client.request = http.get({ host: hostname, port, path, headers: { accept: 'text/event-stream', ...headers } }, (response) => {
        client.status = response.statusCode ?? 0;
        response.setEncoding('utf-8');
        response.on('data', (chunk: string) => client.receive(chunk));
        response.on('end', () => client.finish());
        response.on('error', () => client.finish());
        resolve(client);
      });
      client.request.on('error', (error) => (client.status === 0 ? reject(error) : client.finish()));
    });
  }

  /** Resolves once `count` events of type `type` have arrived (all types when undefined), with them. */
  next(count: number, type?: string, timeoutMs = 60_000): Promise<StreamEvent[]> {
    return this.nextMatching(count, (event) => type === undefined || event.event === type, timeoutMs, type ?? '');
  }

  /** Resolves once `count` events that `accept` takes have arrived, with them. */
  async nextMatching(
    count: number,
    accept: (event: StreamEvent) => boolean,
    timeoutMs = 60_000,
    what = 'matching',
  ): Promise<StreamEvent[]> {
    const type = what;
    const matching = () => this.events.filter(accept);
    const deadline = Date.now() + timeoutMs;
    while (matching().length < count) {
      if (this.ended) throw new Error(`the stream ended after ${JSON.stringify(this.events)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${count} ${type} events did not arrive within ${timeoutMs} ms; got ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return matching().slice(0, count);
  }

  /** Resolves once the server ends the stream. */
  async untilEnded(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error(`the stream did not end within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  transitions(): StreamEvent[] {
    return this.events.filter((event) => event.event === 'transition');
  }

  close(): void {
    this.request?.destroy();
    this.finish();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) !== -1) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event = parseBlock(block);
      if (event) this.events.push(event);
    }
    this.wake();
  }

  private finish(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** One SSE block; comments and the retry line make no event. */
function parseBlock(block: string): StreamEvent | undefined {
  const fields: Record<string, string> = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    fields[name] = name === 'data' && fields.data !== undefined ? `${fields.data}\n${value}` : value;
  }
  if (fields.data === undefined) return undefined;
  return {
    ...(fields.id !== undefined ? { id: fields.id } : {}),
    event: fields.event ?? 'message',
    data: JSON.parse(fields.data),
    receivedAt: Date.now(),
  };
}
