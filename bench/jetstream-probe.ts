import { JetStreamApiCodes, JetStreamApiError, jetstreamManager, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetStreamName, pipelineStreamPrefix, streamSubject } from '../activities/nats/stream-names';
import { connectAsWeir } from '../harness/test-nats';

/** A component's durable consumer: Weir names it after the component, on the stream the component reads. */
export interface ConsumingComponent {
  component: string;
  stream: string;
}

/** Looks at pipelines' JetStream streams and consumers from outside Weir, over a connection of its own. */
export class JetStreamProbe {
  private constructor(
    private readonly connection: NatsConnection,
    private readonly jsm: JetStreamManager,
  ) {}

  static async open(natsUrl: string): Promise<JetStreamProbe> {
    const connection = await connectAsWeir(natsUrl);
    return new JetStreamProbe(connection, await jetstreamManager(connection));
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /** Messages the stream ever accepted: its last sequence number, since acknowledged messages leave the stream. */
  async acceptedMessages(pipelineId: string, stream: string): Promise<number> {
    return (await this.jsm.streams.info(jetStreamName(pipelineId, stream))).state.last_seq;
  }

  /**
   * Listens on the stream's subject from now on; `publishedAt` settles with the epoch milliseconds at
   * which the first message was published there. The stream itself cannot tell later: it drops acknowledged messages.
   */
  async listenForFirstPublish(pipelineId: string, stream: string): Promise<{ publishedAt: Promise<number> }> {
    const subscription = this.connection.subscribe(streamSubject(pipelineId, stream), { max: 1 });
    await this.connection.flush();
    const publishedAt = (async () => {
      for await (const _message of subscription) return Date.now();
      throw new Error(`${streamSubject(pipelineId, stream)}: the subscription closed before any message`);
    })();
    // A run that fails before it awaits this must not also die of an unhandled rejection when the connection closes.
    publishedAt.catch(() => undefined);
    return { publishedAt };
  }

  /** When the consumer last received an ack, in epoch milliseconds of the NATS server's clock (this machine's). */
  async lastAckAt(pipelineId: string, reader: ConsumingComponent): Promise<number> {
    const info = await this.jsm.consumers.info(jetStreamName(pipelineId, reader.stream), reader.component);
    // Typed as nanoseconds, but the server sends an RFC 3339 time.
    return Date.parse(String(info.ack_floor.last_active));
  }

  /** undefined while Weir has not provisioned it yet. */
  async consumerInfo(pipelineId: string, { component, stream }: ConsumingComponent): Promise<ConsumerInfo | undefined> {
    try {
      return await this.jsm.consumers.info(jetStreamName(pipelineId, stream), component);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Messages the components have not finished, summed over their consumers: pending plus delivered but unacked. */
  async unfinished(pipelineId: string, readers: ConsumingComponent[]): Promise<number> {
    const infos = await Promise.all(readers.map((reader) => this.consumerInfo(pipelineId, reader)));
    return infos.reduce((sum, info) => sum + (info ? info.num_pending + info.num_ack_pending : 0), 0);
  }

  /** The server delivers nothing to the consumer until `until` or a resume. */
  async pauseConsumer(pipelineId: string, { component, stream }: ConsumingComponent, until: Date): Promise<void> {
    await this.jsm.consumers.pause(jetStreamName(pipelineId, stream), component, until);
  }

  async resumeConsumer(pipelineId: string, { component, stream }: ConsumingComponent): Promise<void> {
    await this.jsm.consumers.resume(jetStreamName(pipelineId, stream), component);
  }

  /** Deletes every stream of the given pipelines, and with them their consumers; how many there were. */
  async deleteStreamsOf(pipelineIds: ReadonlySet<string>): Promise<number> {
    const prefixes = [...pipelineIds].map(pipelineStreamPrefix);
    const ours: string[] = [];
    for await (const name of this.jsm.streams.names()) if (prefixes.some((prefix) => name.startsWith(prefix))) ours.push(name);
    await Promise.all(ours.map((name) => this.jsm.streams.delete(name)));
    return ours.length;
  }
}

function isMissing(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound)
  );
}

/** Deletes the streams that the given pipelines still have, after deletion through the API; how many there were. */
export async function sweepStreams(natsUrl: string, pipelineIds: ReadonlySet<string>): Promise<number> {
  const probe = await JetStreamProbe.open(natsUrl);
  try {
    return await probe.deleteStreamsOf(pipelineIds);
  } finally {
    await probe.close();
  }
}
