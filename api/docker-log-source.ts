import type Docker from 'dockerode';
import type { Readable, Writable } from 'node:stream';
import { COMPONENT_LABEL, PIPELINE_LABEL, REPLICA_LABEL } from '../pipeline/names';
import { ApiError } from './api-error';
import type { ComponentLogSource, LogLine } from './component-logs';

type DockerStream = 'stdout' | 'stderr';

/** Stream types in the header of a multiplexed (non-TTY) log frame; Weir's containers have no TTY. */
const FRAME_STREAMS: Record<number, DockerStream> = { 1: 'stdout', 2: 'stderr' };
const FRAME_HEADER_BYTES = 8;

interface Replica {
  number: number;
  container: Docker.Container;
}

/** Components' logs read from their Docker containers, found by the labels the Docker orchestrator puts on them. */
export class DockerLogSource implements ComponentLogSource {
  constructor(private readonly docker: Docker) {}

  async tail(pipelineId: string, component: string, tail: number): Promise<LogLine[]> {
    const replicas = await this.replicas(pipelineId, component);
    const logs = await Promise.all(
      replicas.map(async ({ number, container }) => {
        const output = await logsOf(() => container.logs({ stdout: true, stderr: true, timestamps: true, follow: false, tail }));
        if (output === undefined) return [];
        const lines: LogLine[] = [];
        const decoder = new LogDecoder(number, (line) => lines.push(line));
        decoder.write(output);
        decoder.end();
        return lines;
      }),
    );
    // RFC 3339 times with a fixed number of digits from one engine clock sort as strings.
    return logs.flat().sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  async follow(
    pipelineId: string,
    component: string,
    tail: number,
    into: Writable,
    signal: AbortSignal,
  ): Promise<{ ended: Promise<void> }> {
    const replicas = await this.replicas(pipelineId, component);
    const streams = await Promise.all(
      replicas.map(async ({ number, container }) => {
        const stream = (await logsOf(() =>
          container.logs({ stdout: true, stderr: true, timestamps: true, follow: true, tail, abortSignal: signal }),
        )) as unknown as Readable | undefined;
        return stream && { number, stream };
      }),
    );
    const open = streams.filter((entry) => entry !== undefined);
    const ended = Promise.all(open.map(({ number, stream }) => copyLines(stream, number, into, signal)));
    return { ended: ended.then(() => undefined) };
  }

  private async replicas(pipelineId: string, component: string): Promise<Replica[]> {
    const filters = { label: [`${PIPELINE_LABEL}=${pipelineId}`, `${COMPONENT_LABEL}=${component}`] };
    const containers = await engineCall(() => this.docker.listContainers({ all: true, filters }));
    return containers
      .map((info) => ({ number: Number(info.Labels[REPLICA_LABEL]), container: this.docker.getContainer(info.Id) }))
      .filter((replica) => Number.isInteger(replica.number))
      .sort((a, b) => a.number - b.number);
  }
}

/** Decodes one replica's log into `into`, pausing while `into` is full; resolves when the log ends or `signal` aborts. */
function copyLines(stream: Readable, replica: number, into: Writable, signal: AbortSignal): Promise<void> {
  const decoder = new LogDecoder(replica, (line) => {
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
    // An engine that goes away mid-stream ends this replica's log; the response has already begun.
    stream.once('error', finish);
  });
}

/** A Docker engine that cannot be reached is a 503, as Temporal's is. */
/** The engine's answers for a container removed, or being removed, since it was listed: it has no logs to give. */
const GONE_STATUSES = new Set([404, 409]);

async function logsOf<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await engineCall(read);
  } catch (error) {
    if (GONE_STATUSES.has((error as { statusCode?: number }).statusCode ?? 0)) return undefined;
    throw error;
  }
}

async function engineCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES') {
      throw new ApiError('UNAVAILABLE', 'the Docker engine that runs the components is unreachable');
    }
    throw error;
  }
}

/**
 * Turns a multiplexed log stream with timestamps into lines: it reassembles frames split across chunks and lines
 * split across frames, per stream, and splits each line's `<RFC 3339 time> <text>`.
 */
class LogDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private readonly partial: Record<DockerStream, string> = { stdout: '', stderr: '' };

  constructor(
    private readonly replica: number,
    private readonly onLine: (line: LogLine) => void,
  ) {}

  write(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    while (offset + FRAME_HEADER_BYTES <= this.pending.length) {
      const end = offset + FRAME_HEADER_BYTES + this.pending.readUInt32BE(offset + 4);
      if (end > this.pending.length) break;
      const stream = FRAME_STREAMS[this.pending[offset]];
      if (stream) this.text(stream, this.pending.subarray(offset + FRAME_HEADER_BYTES, end).toString('utf8'));
      offset = end;
    }
    this.pending = this.pending.subarray(offset);
  }

  /** Hands on what is left of a line that the log ended without a newline. */
  end(): void {
    for (const stream of Object.keys(this.partial) as Array<DockerStream>) {
      if (this.partial[stream]) this.line(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
  }

  private text(stream: DockerStream, text: string): void {
    const lines = (this.partial[stream] + text).split('\n');
    this.partial[stream] = lines.pop() ?? '';
    for (const line of lines) this.line(stream, line);
  }

  private line(stream: DockerStream, raw: string): void {
    const space = raw.indexOf(' ');
    const at = space > 0 ? raw.slice(0, space) : '';
    this.onLine({ replica: String(this.replica), stream, at, text: (space > 0 ? raw.slice(space + 1) : raw).replace(/\r$/, '') });
  }
}
