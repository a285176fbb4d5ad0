import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { JetStreamDataPlane } from '../../activities/nats/jetstream-data-plane';
import { NatsConnectionProvider } from '../../activities/nats/nats-connection';
import type { NatsCredentialIssuer } from '../../activities/nats/nats-credentials';
import { componentInboxPrefix, jetStreamName, streamSubject } from '../../activities/nats/stream-names';
import { SINK_INPUT, SOURCE_OUTPUT, deliveryOf, threeStageComponents, type SinkDelivery } from '../../harness/pipeline-data';
import { testNatsIssuer } from '../../harness/test-nats';
import type { ConsumingComponent, JetStreamProbe } from '../jetstream-probe';
import { untilSourceDone } from '../source-done';
import { SINK, TRANSFORM } from '../three-stage-pipeline';
import { RoleProcess } from './role-process';
import { RAW_RELAY_SETTINGS, type RoleOptions } from './settings';

export interface RawRelaySample {
  /** From the publisher's first publish to the consumer's last ack, as for Weir. */
  firstPublishToLastAckMs: number;
  messagesPerSecond: number;
  delivery: SinkDelivery;
}

const DELIVERY_TIMEOUT_MS = 180_000;
/** The three-stage pipeline's component that the publisher stands in for. */
const SOURCE_COMPONENT = 'source';

/**
 * The floor of Weir's data plane: a publisher, a relay and a consumer, three processes on this machine using the
 * client library the reference component uses, on streams and consumers that Weir's own data plane provisions for
 * the three-stage pipeline, so that storage, retention, the duplicate window and the consumers' settings are Weir's.
 * Each process connects as a NATS user with the permissions Weir gives the component it stands in for.
 * Each run is named like a pipeline, so that the final stream sweep finds what a failed run leaves.
 */
export class RawRelay {
  private constructor(
    private readonly natsUrl: string,
    private readonly nats: NatsConnectionProvider,
    private readonly dataPlane: JetStreamDataPlane,
    private readonly workDir: string,
    private readonly issuer: NatsCredentialIssuer | undefined,
  ) {}

  static async open(natsUrl: string, workDir: string): Promise<RawRelay> {
    const issuer = await testNatsIssuer();
    const nats = new NatsConnectionProvider(natsUrl, issuer);
    return new RawRelay(natsUrl, nats, new JetStreamDataPlane(nats), workDir, issuer);
  }

  async close(): Promise<void> {
    await this.nats.close();
  }

  /** Relays `messages` through fresh streams named after `runId`, then removes them. */
  async time(probe: JetStreamProbe, runId: string, messages: number): Promise<RawRelaySample> {
    const file = path.join(this.workDir, `${runId}.jsonl`);
    const components = threeStageComponents(messages);
    const standingFor = async (name: string): Promise<Pick<RoleOptions, 'identity'>> => {
      const component = components.find((candidate) => candidate.name === name);
      if (!component) throw new Error(`the three-stage pipeline has no component ${name}`);
      const creds = this.issuer && new TextDecoder().decode(await this.issuer.component(runId, component));
      return { identity: { creds, inboxPrefix: componentInboxPrefix(runId, name) } };
    };
    const common = { natsUrl: this.natsUrl, settings: RAW_RELAY_SETTINGS, messages, file };
    const reading = (stream: string, { component }: ConsumingComponent) => ({
      inputStream: jetStreamName(runId, stream),
      inputConsumer: component,
    });
    const relayOptions: RoleOptions = {
      ...common,
      ...reading(SOURCE_OUTPUT, TRANSFORM),
      ...(await standingFor(TRANSFORM.component)),
      outputSubject: streamSubject(runId, SINK_INPUT),
    };
    const consumerOptions: RoleOptions = {
      ...common,
      ...reading(SINK_INPUT, SINK),
      ...(await standingFor(SINK.component)),
      outputSubject: '',
    };
    const publisherOptions: RoleOptions = {
      ...common,
      ...(await standingFor(SOURCE_COMPONENT)),
      inputStream: '',
      inputConsumer: '',
      outputSubject: streamSubject(runId, SOURCE_OUTPUT),
    };
    const processes: RoleProcess[] = [];
    try {
      await this.dataPlane.provision({ pipeline_id: runId, name: runId, components: threeStageComponents(messages) });
      const readers = [RoleProcess.start('relay', relayOptions), RoleProcess.start('consumer', consumerOptions)];
      processes.push(...readers);
      await Promise.all(readers.map(({ ready }) => ready));
      const firstPublish = await probe.listenForFirstPublish(runId, SOURCE_OUTPUT);
      const publisher = RoleProcess.start('publisher', publisherOptions);
      processes.push(publisher);
      await Promise.race([untilSourceDone(probe, runId, messages, [TRANSFORM, SINK], DELIVERY_TIMEOUT_MS), failureOf(processes)]);
      const firstPublishToLastAckMs = (await probe.lastAckAt(runId, SINK)) - (await firstPublish.publishedAt);
      await Promise.all(processes.map((process) => (process === publisher ? process.exited : process.stop())));
      const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
      return {
        firstPublishToLastAckMs,
        messagesPerSecond: (messages * 1000) / firstPublishToLastAckMs,
        delivery: deliveryOf(lines, messages),
      };
    } finally {
      for (const process of processes) process.kill();
      await this.dataPlane.remove(runId);
      await rm(file, { force: true });
    }
  }
}

/** Rejects as soon as one of the processes fails; never resolves otherwise. */
function failureOf(processes: RoleProcess[]): Promise<never> {
  return Promise.race(processes.map(({ exited }) => exited.then(() => new Promise<never>(() => undefined))));
}
