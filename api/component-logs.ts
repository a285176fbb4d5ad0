import type { Context } from 'koa';
import { Transform, type Writable } from 'node:stream';

/** One line a component replica wrote, without its line ending. */
export interface LogLine {
  /** On Docker the replica's number, as in its container name `weir-<pipeline>-<component>-<n>`; on Kubernetes its pod's name. */
  replica: string;
  /** Undefined where the orchestrator merges the two, as Kubernetes does. */
  stream?: 'stdout' | 'stderr';
  /** When the orchestrator received the line, RFC 3339. */
  at: string;
  text: string;
}

/**
 * Where the API reads components' logs: the orchestrator that runs them (Docker containers or Kubernetes pods). `tail` applies to
 * each replica, as `docker logs --tail` and `kubectl logs --tail` do.
 */
export interface ComponentLogSource {
  /** Each replica's last `tail` lines, merged oldest first. A component without replicas yet has none. */
  tail(pipelineId: string, component: string, tail: number): Promise<LogLine[]>;
  /**
   * Each replica's last `tail` lines, then every new line as it is written, written as LogLine objects into `into`,
   * whose backpressure it respects. Resolves once the logs are open, so that a failure to open them can still be
   * answered as an error; `ended` resolves once every replica's log has ended (its container stopped) or `signal` aborts.
   */
  follow(pipelineId: string, component: string, tail: number, into: Writable, signal: AbortSignal): Promise<{ ended: Promise<void> }>;
}

export interface LogRequest {
  pipelineId: string;
  component: string;
  tail: number;
  follow: boolean;
  /** Masks the values of the pipeline's secrets in a line. */
  mask: (text: string) => string;
}

/** Answers with the component's log as text/plain: all at once, or streamed (chunked) until it ends or the client leaves. */
export async function sendComponentLogs(
  ctx: Context,
  source: ComponentLogSource,
  { pipelineId, component, tail, follow, mask }: LogRequest,
): Promise<void> {
  const format = (line: LogLine) => formatLogLine(line, mask);
  ctx.type = 'text/plain; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  if (!follow) {
    ctx.body = (await source.tail(pipelineId, component, tail)).map(format).join('');
    return;
  }
  const body = new Transform({
    writableObjectMode: true,
    transform: (line: LogLine, _encoding, done) => done(null, format(line)),
  });
  const clientGone = new AbortController();
  ctx.res.once('close', () => clientGone.abort());
  const { ended } = await source.follow(pipelineId, component, tail, body, clientGone.signal);
  void ended.finally(() => body.end());
  ctx.body = body;
}

/** A line as the logs route writes it: `[<replica>] text`, and `[<replica> stderr] text` for standard error. */
function formatLogLine({ replica, stream, text }: LogLine, mask: (text: string) => string): string {
  return `[${replica}${stream === 'stderr' ? ' stderr' : ''}] ${mask(text)}\n`;
}
