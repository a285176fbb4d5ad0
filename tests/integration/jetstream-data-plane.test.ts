import { randomBytes } from 'node:crypto';
import { AckPolicy, RetentionPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { JetStreamDataPlane } from '../../activities/nats/jetstream-data-plane';
import { NatsConnectionProvider } from '../../activities/nats/nats-connection';
import { jetStreamName, streamSubject } from '../../activities/nats/stream-names';
import type { PipelineSpec } from '../../pipeline/pipeline-spec';
import { eventually } from '../../harness/eventually';
import { connectAsWeir, testNatsIssuer, testNatsUrl } from '../../harness/test-nats';

let nc: NatsConnection;
let jsm: JetStreamManager;
let provider: NatsConnectionProvider;
let dataPlane: JetStreamDataPlane;
const pipelines: string[] = [];

beforeAll(async () => {
  nc = await connectAsWeir();
  jsm = await jetstreamManager(nc);
  provider = new NatsConnectionProvider(testNatsUrl(), await testNatsIssuer());
  dataPlane = new JetStreamDataPlane(provider);
});

afterAll(async () => {
  for (const pipelineId of pipelines) await dataPlane.remove(pipelineId);
  await provider.close();
  await nc.drain();
});

/** source -> sink over the stream `raw`, with a fresh pipeline id. */
function sourceToSink(): PipelineSpec {
  const pipelineId = `dp-${randomBytes(4).toString('hex')}`;
  pipelines.push(pipelineId);
  return {
    pipeline_id: pipelineId,
    name: pipelineId,
    components: [
      { name: 'source', image: 'busybox:latest', replicas: 1, output: 'raw' },
      { name: 'sink', image: 'busybox:latest', replicas: 1, input: 'raw' },
    ],
  };
}

test('provision makes interest-retained streams and is idempotent', async () => {
  const spec = sourceToSink();
  await dataPlane.provision(spec);
  await dataPlane.provision(spec);
  const info = await jsm.streams.info(jetStreamName(spec.pipeline_id, 'raw'));
  expect(info.config.retention).toBe(RetentionPolicy.Interest);
  expect(info.state.consumer_count).toBe(1);
});

test('a stream made with limits retention switches to interest, keeping what its consumer has not acknowledged', async () => {
  const spec = sourceToSink();
  const name = jetStreamName(spec.pipeline_id, 'raw');
  const subject = streamSubject(spec.pipeline_id, 'raw');
  await jsm.streams.add({ name, subjects: [subject], retention: RetentionPolicy.Limits });
  await jsm.consumers.add(name, { durable_name: 'sink', ack_policy: AckPolicy.Explicit });
  const js = jetstream(nc);
  for (let seq = 1; seq <= 5; seq++) await js.publish(subject, JSON.stringify({ seq }));
  const consumer = await js.consumers.get(name, 'sink');
  const firstTwo = await consumer.fetch({ max_messages: 2, expires: 2000 });
  for await (const message of firstTwo) await message.ackAck();

  await dataPlane.provision(spec);

  const info = await jsm.streams.info(name);
  expect(info.config.retention).toBe(RetentionPolicy.Interest);
  const held = await eventually(
    async () => (await jsm.streams.info(name)).state,
    (state) => state.messages === 3,
  );
  expect([held.first_seq, held.last_seq]).toEqual([3, 5]);
});
