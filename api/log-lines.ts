import type { Readable, Writable } from 'node:stream';
import type { LogLine } from './component-logs';

/** Turns one replica's log, as it arrives in chunks, into lines. */
export interface LineDecoder {
  write(chunk: Buffer): void;
  /** Hands on what is left of a line that the log ended without a newline. */
  end(): void;
}

/** `<RFC 3339 time> <text>`, as Docker and the Kubernetes API write a line when asked for timestamps. */
export function timestampedLine(replica: string, raw: string, stream?: LogLine['stream']): LogLine {
  const space = raw.indexOf(' ');
  const text = (space > 0 ? raw.slice(space + 1) : raw).replace(/\r$/, '');
  return { replica, ...(stream ? { stream } : {}), at: space > 0 ? raw.slice(0, space) : '', text };
}

/** Splits a text log into lines, keeping a line that a chunk boundary cuts until the rest of it comes. */
export class TextLineDecoder implements LineDecoder {
  private partial = '';

  constructor(private readonly onLine: (raw: string) => void) {}

  write(chunk: Buffer | string): void {
    const lines = (this.partial + chunk.toString()).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
  }

  end(): void {
    if (this.partial) this.onLine(this.partial);
    this.partial = '';
  }
}

/**
 * Decodes one replica's log into `into`, pausing while `into` is full; resolves when the log ends, fails (the engine
 * or API server went away mid-stream, after the response began) or `signal` aborts.
 */
export function copyLines(
  stream: Readable,
  decoderFor: (onLine: (line: LogLine) => void) => LineDecoder,
  into: Writable,
  signal: AbortSignal,
): Promise<void> {
  const decoder = decoderFor((line) => {
    if (!into.destroyed) into.write(line);
  });
  return new Promise((resolve) => {
    const finish = () => {
      decoder.end();
      stream.destroy();
      resolve();
    };
    if (signal.aborted) return finish();
    signal.addEventListener('abort', finish, { once: true });
    stream.on('data', (chunk: Buffer) => {
      decoder.write(chunk);
      if (into.writableNeedDrain) {
        stream.pause();
        into.once('drain', () => stream.resume());
      }
    });
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', finish);
  });
}
