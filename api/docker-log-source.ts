import type Docker from 'dockerode';
import type { Readable, Writable } from 'node:stream';
import { COMPONENT_LABEL, PIPELINE_LABEL, REPLICA_LABEL } from '../pipeline/names';
import { ApiError } from './api-error';
import type { ComponentLogSource, LogLine } from './component-logs';
import { copyLines, TextLineDecoder, timestampedLine, type LineDecoder } from './log-lines';

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
    const ended = Promise.all(
      open.map(({ number, stream }) => copyLines(stream, (onLine) => new LogDecoder(number, onLine), into, signal)),
    );
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

/** A Docker engine that cannot be reached is a 503, as Temporal's is. */
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
class LogDecoder implements LineDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private readonly streams: Record<DockerStream, TextLineDecoder>;

  constructor(replica: number, onLine: (line: LogLine) => void) {
    const decoderOf = (stream: DockerStream) => new TextLineDecoder((raw) => onLine(timestampedLine(String(replica), raw, stream)));
    this.streams = { stdout: decoderOf('stdout'), stderr: decoderOf('stderr') };
  }

  write(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    while (offset + FRAME_HEADER_BYTES <= this.pending.length) {
      const end = offset + FRAME_HEADER_BYTES + this.pending.readUInt32BE(offset + 4);
      if (end > this.pending.length) break;
      const stream = FRAME_STREAMS[this.pending[offset]];
      if (stream) this.streams[stream].write(this.pending.subarray(offset + FRAME_HEADER_BYTES, end).toString('utf8'));
      offset = end;
    }
    this.pending = this.pending.subarray(offset);
  }

  end(): void {
    this.streams.stdout.end();
    this.streams.stderr.end();
  }
}
