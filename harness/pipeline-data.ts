import { readFile } from 'node:fs/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import Docker from 'dockerode';
import { demultiplexLogs } from '../activities/docker/container-logs';
import { jetStreamName, pipelineStreamPrefix } from '../activities/nats/stream-names';
import { REFERENCE_COMPONENT_IMAGE } from '../component/image';
import type { ComponentSpec } from '../pipeline/pipeline-spec';
import { connectAsWeir } from './test-nats';

/** The file in the pipeline's data volume the three-stage sink appends to. */
export const SINK_FILE = 'sink.jsonl';
export const SOURCE_OUTPUT = 'raw';
export const SINK_INPUT = 'clean';

/** source → transform (passthrough) → file sink, the source publishing `messages` as fast as it can. */
export function threeStageComponents(messages: number): ComponentSpec[] {
  return [
    { name: 'source', image: REFERENCE_COMPONENT_IMAGE, replicas: 1, output: SOURCE_OUTPUT, env: { SOURCE_COUNT: String(messages) } },
    { name: 'transform', image: REFERENCE_COMPONENT_IMAGE, replicas: 1, input: SOURCE_OUTPUT, output: SINK_INPUT },
    { name: 'sink', image: REFERENCE_COMPONENT_IMAGE, replicas: 1, input: SINK_INPUT, env: { SINK_FILE: `/weir-data/${SINK_FILE}` } },
  ];
}

/** What the sink file holds of the source's sequence numbers 1..expected. */
export interface SinkDelivery {
  distinct: number;
  duplicates: number;
  missing: number[];
}

export async function sinkDelivery(pipelineId: string, expected: number, docker = new Docker()): Promise<SinkDelivery> {
  return deliveryOf(await readVolumeFile(pipelineId, SINK_FILE, docker), expected);
}

/** What a sink file on this machine holds, such as one in a folder bound as the pipeline's volume; none if it is missing. */
export async function sinkFileDelivery(file: string, expected: number): Promise<SinkDelivery> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return deliveryOf(
    text.split('\n').filter((line) => line.trim() !== ''),
    expected,
  );
}

/** What JSON lines of `{seq}` objects hold of the sequence numbers 1..expected. */
export function deliveryOf(lines: string[], expected: number): SinkDelivery {
  const counts = sequenceCounts(lines);
  const duplicates = [...counts.values()].reduce((sum, times) => sum + times - 1, 0);
  const missing = Array.from({ length: expected }, (_, index) => index + 1).filter((seq) => !counts.has(seq));
  return { distinct: counts.size, duplicates, missing };
}

/** The lines of a JSON-lines file in a pipeline's data volume, read through a throwaway container. */
async function readVolumeFile(pipelineId: string, file: string, docker = new Docker()): Promise<string[]> {
  const container = await docker.createContainer({
    Image: 'busybox:latest',
    Cmd: ['sh', '-c', `cat /weir-data/${file} 2>/dev/null || true`],
    HostConfig: { Mounts: [{ Type: 'volume', Source: `weir-${pipelineId}-data`, Target: '/weir-data' }], NetworkMode: 'none' },
  });
  try {
    await container.start();
    await container.wait();
    const output = await container.logs({ stdout: true, stderr: false, follow: false });
    return demultiplexLogs(output)
      .split('\n')
      .filter((line) => line.trim() !== '');
  } finally {
    await container.remove({ force: true });
  }
}

/** How many times each sequence number reached the sink. */
function sequenceCounts(lines: string[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const line of lines) {
    const seq = (JSON.parse(line) as { seq: number }).seq;
    counts.set(seq, (counts.get(seq) ?? 0) + 1);
  }
  return counts;
}

/**
 * How many messages one of a pipeline's streams ever accepted (its last sequence number: acknowledged
 * messages leave the stream), how many it holds now, and the names of all the pipeline's JetStream streams.
 */
export async function streamFacts(
  natsUrl: string,
  pipelineId: string,
  stream: string,
): Promise<{ accepted: number; held: number; streams: string[] }> {
  const connection = await connectAsWeir(natsUrl);
  try {
    const jsm = await jetstreamManager(connection);
    const streams: string[] = [];
    for await (const name of jsm.streams.names()) if (name.startsWith(pipelineStreamPrefix(pipelineId))) streams.push(name);
    const name = jetStreamName(pipelineId, stream);
    if (!streams.includes(name)) return { accepted: 0, held: 0, streams };
    const { state } = await jsm.streams.info(name);
    return { accepted: state.last_seq, held: state.messages, streams };
  } finally {
    await connection.close();
  }
}

/**
 * Pauses a component's consumer as soon as Weir provisions it, so every message the source stores waits
 * in the stream; the returned function lets the consumer go on.
 */
export async function holdConsumer(natsUrl: string, pipelineId: string, stream: string, component: string): Promise<() => Promise<void>> {
  const connection = await connectAsWeir(natsUrl);
  const jsm = await jetstreamManager(connection);
  const name = jetStreamName(pipelineId, stream);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await jsm.consumers.pause(name, component, new Date(Date.now() + 3_600_000));
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  return async () => {
    await jsm.consumers.resume(name, component);
    await connection.close();
  };
}
