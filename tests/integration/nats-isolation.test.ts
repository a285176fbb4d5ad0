import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { createAccount } from '@nats-io/nkeys';
import { credsAuthenticator, errors, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import Docker from 'dockerode';
import { componentPermissions } from '../../activities/nats/component-permissions';
import { JetStreamDataPlane } from '../../activities/nats/jetstream-data-plane';
import { NatsConnectionProvider } from '../../activities/nats/nats-connection';
import { NatsCredentialIssuer } from '../../activities/nats/nats-credentials';
import { componentInboxPrefix, jetStreamName, streamSubject } from '../../activities/nats/stream-names';
import type { ComponentSpec, PipelineSpec } from '../../pipeline/pipeline-spec';
import { eventually } from '../../harness/eventually';
import { exitCodeOf, lastEvent, logEvents, startReferenceContainer } from '../support/reference-container';
import { connectAsWeir, testNatsIssuer, testNatsUrl } from '../../harness/test-nats';

const source: ComponentSpec = { name: 'source', image: 'busybox:latest', replicas: 1, output: 'raw' };
const sink: ComponentSpec = { name: 'sink', image: 'busybox:latest', replicas: 1, input: 'raw' };
const REQUEST_TIMEOUT_MS = 2_000;

const docker = new Docker();
let issuer: NatsCredentialIssuer;
let provider: NatsConnectionProvider;
let dataPlane: JetStreamDataPlane;
let weirConnection: NatsConnection;
let jsm: JetStreamManager;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  const configured = await testNatsIssuer();
  if (!configured) throw new Error('the test NATS server must run with Weir-signed users');
  issuer = configured;
  provider = new NatsConnectionProvider(testNatsUrl(), issuer);
  dataPlane = new JetStreamDataPlane(provider);
  weirConnection = await connectAsWeir();
  jsm = await jetstreamManager(weirConnection);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await weirConnection.drain();
  await provider.close();
});

/** A provisioned source -> sink pipeline with a fresh id, removed after the test. */
async function provisionedPipeline(): Promise<PipelineSpec> {
  const spec: PipelineSpec = { pipeline_id: `iso-${randomBytes(4).toString('hex')}`, name: 'isolation', components: [source, sink] };
  await dataPlane.provision(spec);
  cleanups.push(() => dataPlane.remove(spec.pipeline_id));
  return spec;
}

/** Connects as one component of `pipelineId`, with the credentials Weir would give it. */
async function connectAs(pipelineId: string, component: ComponentSpec): Promise<NatsConnection> {
  const connection = await connect({
    servers: testNatsUrl(),
    authenticator: credsAuthenticator(await issuer.component(pipelineId, component)),
    inboxPrefix: componentInboxPrefix(pipelineId, component.name),
  });
  cleanups.push(() => connection.close());
  return connection;
}

/** The error a request gets, or undefined when it is answered. */
async function requestError(connection: NatsConnection, subject: string): Promise<Error | undefined> {
  return connection.request(subject, '', { timeout: REQUEST_TIMEOUT_MS }).then(
    () => undefined,
    (error: Error) => error,
  );
}

/** A refused request fails with a RequestError whose cause is the server's permissions violation. */
function expectPublishDenied(error: Error | undefined, subject: string): void {
  expect(error).toBeInstanceOf(errors.RequestError);
  expect(error?.cause).toBeInstanceOf(errors.PermissionViolationError);
  expect(error?.cause).toMatchObject({ operation: 'publish', subject });
}

/** Whether the server refuses a subscription to `subject` on `connection`. */
async function subscriptionRefused(connection: NatsConnection, subject: string): Promise<boolean> {
  const subscription = connection.subscribe(subject);
  await connection.flush();
  const ended = await Promise.race([
    subscription.closed,
    new Promise((resolve) => setTimeout(() => resolve('still open'), REQUEST_TIMEOUT_MS)),
  ]);
  subscription.unsubscribe();
  return ended instanceof errors.PermissionViolationError;
}

async function heldMessages(spec: PipelineSpec): Promise<number> {
  return (await jsm.streams.info(jetStreamName(spec.pipeline_id, 'raw'))).state.messages;
}

test('each component may publish to its output, use its own consumer and inbox, and nothing else', () => {
  const transform: ComponentSpec = { name: 'clean', image: 'x', replicas: 1, input: 'raw', output: 'cleaned' };
  expect(componentPermissions('orders', transform)).toEqual({
    pub: {
      allow: [
        'weir.orders.cleaned',
        '$JS.API.CONSUMER.INFO.weir_orders_raw.clean',
        '$JS.API.CONSUMER.MSG.NEXT.weir_orders_raw.clean',
        '$JS.ACK.weir_orders_raw.clean.>',
      ],
    },
    sub: { allow: ['_INBOX_weir.orders.clean.>'] },
  });
  // NATS reads an empty allow list as "everything", so a component without streams must be denied explicitly.
  expect(componentPermissions('orders', { name: 'idle', image: 'x', replicas: 1 })).toEqual({
    pub: { deny: ['>'] },
    sub: { allow: ['_INBOX_weir.orders.idle.>'] },
  });
  expect(() => componentPermissions('orders', { ...transform, output: 'a.>' })).toThrow(/cannot be part of a NATS name/);
});

test("with pipeline A's credentials, A's own flow works, and B's streams, subjects and inboxes are out of reach", async () => {
  const a = await provisionedPipeline();
  const b = await provisionedPipeline();
  const aSource = await connectAs(a.pipeline_id, source);
  const aSink = await connectAs(a.pipeline_id, sink);

  // A's own flow: publish, pull, acknowledge, until A's consumer has nothing left.
  for (let seq = 1; seq <= 5; seq++) await jetstream(aSource).publish(streamSubject(a.pipeline_id, 'raw'), JSON.stringify({ seq }));
  const consumer = await jetstream(aSink).consumers.get(jetStreamName(a.pipeline_id, 'raw'), 'sink');
  let received = 0;
  while (received < 5) {
    for await (const message of await consumer.fetch({ max_messages: 5, expires: 1000 })) {
      await message.ackAck();
      received++;
    }
  }
  expect(await dataPlane.unfinished(a, 'sink')).toBe(0);

  // B's subject, consumer and inbox, and any stream management, are refused.
  const bStream = jetStreamName(b.pipeline_id, 'raw');
  expectPublishDenied(await requestError(aSource, streamSubject(b.pipeline_id, 'raw')), streamSubject(b.pipeline_id, 'raw'));
  expectPublishDenied(await requestError(aSink, `$JS.API.CONSUMER.INFO.${bStream}.sink`), `$JS.API.CONSUMER.INFO.${bStream}.sink`);
  expectPublishDenied(await requestError(aSink, `$JS.API.CONSUMER.MSG.NEXT.${bStream}.sink`), `$JS.API.CONSUMER.MSG.NEXT.${bStream}.sink`);
  expectPublishDenied(await requestError(aSink, `$JS.ACK.${bStream}.sink.1.1.1.1.0`), `$JS.ACK.${bStream}.sink.1.1.1.1.0`);
  for (const stream of [bStream, jetStreamName(a.pipeline_id, 'raw')]) {
    expectPublishDenied(await requestError(aSink, `$JS.API.STREAM.DELETE.${stream}`), `$JS.API.STREAM.DELETE.${stream}`);
    expectPublishDenied(await requestError(aSink, `$JS.API.STREAM.PURGE.${stream}`), `$JS.API.STREAM.PURGE.${stream}`);
  }
  expectPublishDenied(await requestError(aSource, '$JS.API.STREAM.CREATE.stolen'), '$JS.API.STREAM.CREATE.stolen');
  await expect(jetstreamManager(aSink)).rejects.toThrow(/Permissions Violation/);
  expect(await subscriptionRefused(aSink, streamSubject(b.pipeline_id, 'raw'))).toBe(true);
  expect(await subscriptionRefused(aSink, `${componentInboxPrefix(b.pipeline_id, 'sink')}.>`)).toBe(true);
  expect(await subscriptionRefused(aSink, '_INBOX.>')).toBe(true);
  expect(await subscriptionRefused(aSink, '>')).toBe(true);

  expect(await heldMessages(b)).toBe(0);
  expect((await jsm.streams.info(bStream)).state.consumer_count).toBe(1);
});

test('NATS refuses a client without credentials, and one whose user is signed by a key the account does not know; the worker says which settings to check', async () => {
  const anonymous = connect({ servers: testNatsUrl(), reconnect: false });
  await expect(anonymous).rejects.toBeInstanceOf(errors.AuthorizationError);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'weir-foreign-key-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const foreignKeyFile = path.join(dir, 'foreign.nk');
  await writeFile(foreignKeyFile, new TextDecoder().decode(createAccount().getSeed()), { mode: 0o600 });
  const foreign = await NatsCredentialIssuer.fromConfig({
    mode: 'jwt',
    account: process.env.WEIR_NATS_ACCOUNT as string,
    signingKeyFile: foreignKeyFile,
  });
  const forged = connect({ servers: testNatsUrl(), reconnect: false, authenticator: credsAuthenticator(await foreign!.control()) });
  await expect(forged).rejects.toBeInstanceOf(errors.AuthorizationError);

  // The worker says which settings to check, rather than calling NATS unreachable.
  const foreignWorker = new NatsConnectionProvider(testNatsUrl(), foreign);
  await expect(foreignWorker.get()).rejects.toThrow(
    `NATS at ${testNatsUrl()} refused the connection: Authorization Violation (check WEIR_NATS_ACCOUNT and WEIR_NATS_SIGNING_KEY_FILE)`,
  );
  const anonymousWorker = new NatsConnectionProvider(testNatsUrl(), undefined);
  await expect(anonymousWorker.get()).rejects.toThrow(/refused the connection: .*WEIR_NATS_AUTH=none, but the server requires credentials/);
});

test("the reference component with pipeline A's credentials runs A's flow, and cannot read from or publish into B", async () => {
  const a = await provisionedPipeline();
  const b = await provisionedPipeline();
  const componentEnv = async (pipelineId: string, component: ComponentSpec) => ({
    NATS_URL: testNatsUrl(),
    WEIR_PIPELINE_ID: pipelineId,
    WEIR_COMPONENT: component.name,
    WEIR_NATS_CREDS: new TextDecoder().decode(await issuer.component(pipelineId, component)),
    WEIR_NATS_INBOX_PREFIX: componentInboxPrefix(pipelineId, component.name),
  });
  const start = async (env: Record<string, string | number>) => {
    const container = await startReferenceContainer(docker, env);
    cleanups.push(() => container.remove({ force: true }));
    return container;
  };

  // A's own source and sink: every message reaches A's stream and is consumed.
  await start({
    ...(await componentEnv(a.pipeline_id, source)),
    WEIR_OUTPUT_SUBJECT: streamSubject(a.pipeline_id, 'raw'),
    SOURCE_COUNT: 50,
  });
  const ownSink = await start({
    ...(await componentEnv(a.pipeline_id, sink)),
    WEIR_INPUT_STREAM: jetStreamName(a.pipeline_id, 'raw'),
    WEIR_INPUT_CONSUMER: 'sink',
  });
  await eventually(
    async () => ({
      accepted: (await jsm.streams.info(jetStreamName(a.pipeline_id, 'raw'))).state.last_seq,
      unfinished: await dataPlane.unfinished(a, 'sink'),
    }),
    (state) => state.accepted === 50 && state.unfinished === 0,
    60_000,
  );
  expect((await ownSink.inspect()).State.Running).toBe(true);

  // The same components pointed at B: the sink cannot open B's consumer and exits, the source's publishes are refused.
  const intruderSink = await start({
    ...(await componentEnv(a.pipeline_id, sink)),
    WEIR_INPUT_STREAM: jetStreamName(b.pipeline_id, 'raw'),
    WEIR_INPUT_CONSUMER: 'sink',
  });
  expect(await exitCodeOf(intruderSink)).toBe(1);
  expect(lastEvent(await logEvents(intruderSink), 'failed')?.error).toMatch(
    /cannot use consumer "sink" of stream "weir_iso-[0-9a-f]+_raw": Permissions Violation/,
  );

  const intruderSource = await start({
    ...(await componentEnv(a.pipeline_id, source)),
    WEIR_OUTPUT_SUBJECT: streamSubject(b.pipeline_id, 'raw'),
    SOURCE_COUNT: 5,
  });
  const failing = await eventually(
    () => logEvents(intruderSource),
    (events) => lastEvent(events, 'publish_failing') !== undefined,
    30_000,
  );
  expect(lastEvent(failing, 'publish_failing')?.error).toContain(
    `Permissions Violation for Publish to "${streamSubject(b.pipeline_id, 'raw')}"`,
  );
  expect(await heldMessages(b)).toBe(0);
  expect(await dataPlane.unfinished(b, 'sink')).toBe(0);
});
