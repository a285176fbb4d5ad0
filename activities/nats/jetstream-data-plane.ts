import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstreamManager,
  type JetStreamManager,
  type StreamConfig,
  type StreamUpdateConfig,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { DataPlane } from '../data-plane';
import { StreamsNotEmptyError } from '../errors';
import type { StreamHolding } from '../../pipeline/held-streams';
import type { PipelineSpec } from '../../pipeline/pipeline-spec';
import { streamNames } from '../../pipeline/stream-graph';
import type { NatsConnectionProvider } from './nats-connection';
import { isNatsUnreachableError, meansNatsUnreachable, natsUnreachableError } from './nats-errors';
import { jetStreamName, pipelineStreamPrefix, streamSubject } from './stream-names';

const SECOND_NS = 1_000_000_000;
/** Publishes retried within this window are deduplicated by their Nats-Msg-Id. */
const DUPLICATE_WINDOW_NS = 120 * SECOND_NS;
const ACK_WAIT_NS = 30 * SECOND_NS;
const MAX_ACK_PENDING = 1000;
const STREAM_NAME_IN_USE = 10058;

/** The JetStream streams and durable consumers of pipelines. Every operation is idempotent. */
export class JetStreamDataPlane implements DataPlane {
  private managed?: { connection: NatsConnection; manager: Promise<JetStreamManager> };

  constructor(private readonly nats: NatsConnectionProvider) {}

  /** Creates one stream per stream name and one durable consumer per component input; existing ones are kept. */
  async provision(spec: PipelineSpec): Promise<void> {
    const streams = streamNames(spec.components);
    if (streams.length === 0) return;
    await this.reachingNats(`provisioning the streams of pipeline ${spec.pipeline_id}`, undefined, () =>
      this.provisionStreams(spec, streams),
    );
  }

  private async provisionStreams(spec: PipelineSpec, streams: string[]): Promise<void> {
    const jsm = await this.manager();
    const limitsRetained: StreamConfig[] = [];
    for (const stream of streams) {
      const name = jetStreamName(spec.pipeline_id, stream);
      const existing = await ignoringCode(jsm.streams.info(name), JetStreamApiCodes.StreamNotFound);
      if (existing) {
        if (existing.config.retention === RetentionPolicy.Limits) limitsRetained.push(existing.config);
        continue;
      }
      await ignoringCode(
        jsm.streams.add({
          name,
          subjects: [streamSubject(spec.pipeline_id, stream)],
          storage: StorageType.File,
          // A message leaves the stream once every consumer has acknowledged it, so streams do not grow without bound.
          retention: RetentionPolicy.Interest,
          duplicate_window: DUPLICATE_WINDOW_NS,
        }),
        STREAM_NAME_IN_USE,
      );
    }
    for (const component of spec.components) {
      if (!component.input) continue;
      await jsm.consumers.add(jetStreamName(spec.pipeline_id, component.input), {
        durable_name: component.name,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: ACK_WAIT_NS,
        max_ack_pending: MAX_ACK_PENDING,
      });
    }
    // Streams made with limits retention switch only now that their consumers exist: without any, they would drop everything.
    // The client's update type predates servers that allow this change, which the NATS server Weir runs does.
    const toInterest = { retention: RetentionPolicy.Interest } as Partial<StreamUpdateConfig>;
    for (const config of limitsRetained) await jsm.streams.update(config.name, { ...config, ...toInterest });
  }

  /** Messages each consuming component has not finished: pending plus delivered but unacknowledged. */
  async unfinished(spec: PipelineSpec, component: string): Promise<number> {
    const input = spec.components.find((candidate) => candidate.name === component)?.input;
    if (!input) return 0;
    const stream = jetStreamName(spec.pipeline_id, input);
    const info = await this.reachingNats(`reading consumer ${component} of stream ${stream}`, component, async () =>
      (await this.manager()).consumers.info(stream, component),
    );
    return info.num_pending + info.num_ack_pending;
  }

  async heldStreamsBesides(pipelineId: string, used: string[]): Promise<StreamHolding[]> {
    return this.reachingNats(`reading the streams of pipeline ${pipelineId}`, undefined, async () => {
      const others = await this.streamsBesides(pipelineId, used);
      return others.filter(({ messages }) => messages > 0);
    });
  }

  async retireUnusedBy(spec: PipelineSpec): Promise<void> {
    await this.reachingNats(`removing what the spec of pipeline ${spec.pipeline_id} no longer uses`, undefined, () =>
      this.retireStreams(spec),
    );
  }

  private async retireStreams(spec: PipelineSpec): Promise<void> {
    const jsm = await this.manager();
    for (const stream of streamNames(spec.components)) {
      const readers = new Set(spec.components.filter((component) => component.input === stream).map((component) => component.name));
      const name = jetStreamName(spec.pipeline_id, stream);
      const stale: string[] = [];
      for await (const consumer of jsm.consumers.list(name)) {
        if (consumer.config.durable_name && !readers.has(consumer.config.durable_name)) stale.push(consumer.config.durable_name);
      }
      for (const consumer of stale) await ignoringCode(jsm.consumers.delete(name, consumer), JetStreamApiCodes.ConsumerNotFound);
    }
    const unused = await this.streamsBesides(spec.pipeline_id, streamNames(spec.components));
    for (const { stream, messages } of unused) {
      if (messages === 0) await ignoringCode(jsm.streams.delete(jetStreamName(spec.pipeline_id, stream)), JetStreamApiCodes.StreamNotFound);
    }
    const held = unused.filter(({ messages }) => messages > 0);
    if (held.length > 0) throw new StreamsNotEmptyError(held);
  }

  /** The pipeline's streams other than `used`, by their name in the spec, with the messages each holds. */
  private async streamsBesides(pipelineId: string, usedStreams: string[]): Promise<StreamHolding[]> {
    const jsm = await this.manager();
    const prefix = pipelineStreamPrefix(pipelineId);
    const used = new Set(usedStreams);
    const unused: StreamHolding[] = [];
    for await (const name of jsm.streams.names()) {
      const stream = name.slice(prefix.length);
      if (!name.startsWith(prefix) || used.has(stream)) continue;
      const info = await ignoringCode(jsm.streams.info(name), JetStreamApiCodes.StreamNotFound);
      if (info) unused.push({ stream, messages: info.state.messages });
    }
    return unused;
  }

  /** Deletes every stream of the pipeline, and with them their consumers. */
  async remove(pipelineId: string): Promise<void> {
    await this.reachingNats(`deleting the streams of pipeline ${pipelineId}`, undefined, () => this.removeStreams(pipelineId));
  }

  private async removeStreams(pipelineId: string): Promise<void> {
    const jsm = await this.manager();
    const names: string[] = [];
    for await (const name of jsm.streams.names()) if (name.startsWith(pipelineStreamPrefix(pipelineId))) names.push(name);
    for (const name of names) await ignoringCode(jsm.streams.delete(name), JetStreamApiCodes.StreamNotFound);
  }

  /**
   * Runs `operation`, turning a timeout, a missing responder or a lost connection into an error that names NATS, its
   * address, what was being done and, when known, the component; a bare "timeout" would name none of them.
   */
  private async reachingNats<T>(action: string, component: string | undefined, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (isNatsUnreachableError(error)) throw natsUnreachableError(error.message, component);
      if (meansNatsUnreachable(error))
        throw natsUnreachableError(`NATS at ${this.nats.url} is unreachable: ${action} failed: ${error.message}`, component);
      throw error;
    }
  }

  /** One manager per connection: making one asks the server for the account's JetStream info, a round trip per call otherwise. */
  private async manager(): Promise<JetStreamManager> {
    const connection = await this.nats.get();
    if (this.managed?.connection !== connection) {
      const manager = jetstreamManager(connection);
      this.managed = { connection, manager };
      // A failed check is asked again next time rather than remembered.
      manager.catch(() => {
        if (this.managed?.manager === manager) this.managed = undefined;
      });
    }
    return this.managed.manager;
  }
}

async function ignoringCode<T>(operation: Promise<T>, code: number): Promise<T | undefined> {
  try {
    return await operation;
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === code) return undefined;
    throw error;
  }
}
