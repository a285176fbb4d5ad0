import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  AckPolicy,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import Docker from 'dockerode';
import { findFreePort } from '../../scripts/ports';
import { eventually } from '../../harness/eventually';
import { connectAsWeir, testNatsIssuer } from '../../harness/test-nats';
import { exitCodeOf, lastEvent, logEvents, startReferenceContainer, waitForEvent } from '../support/reference-container';

const SECOND_NS = 1_000_000_000;
const STOP_GRACE_SECONDS = 10;
/** JetStream's code for a failed stream create; with this message, the store's files could not be made, and the cause is only in the server's log. */
const STREAM_CREATE_FAILED = 10049;
const STORE_FAILED_MESSAGE = 'error creating store for stream';
const STREAM_ADD_ATTEMPTS = 3;

interface TestStream {
  name: string;
  subject: string;
}

interface StoredMessage {
  body: unknown;
  msgId: string | undefined;
}

const docker = new Docker();
let nc: NatsConnection;
let jsm: JetStreamManager;
let js: JetStreamClient;
/** These tests use streams of their own, outside any pipeline, so the components get the whole account. */
let accountCreds: Record<string, string>;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  nc = await connectAsWeir();
  jsm = await jetstreamManager(nc);
  js = jetstream(nc);
  const issuer = await testNatsIssuer();
  accountCreds = issuer ? { WEIR_NATS_CREDS: new TextDecoder().decode(await issuer.control()) } : {};
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await nc.drain();
});

/** A stream named t_<random>_<suffix> on subject t.<random>.<suffix>, deleted after the test. */
async function createStream(suffix: string): Promise<TestStream> {
  const id = randomBytes(4).toString('hex');
  const stream = { name: `t_${id}_${suffix}`, subject: `t.${id}.${suffix}` };
  await addStream({ name: stream.name, subjects: [stream.subject], duplicate_window: 120 * SECOND_NS });
  return stream;
}

/**
 * Adds a stream, deleted after the test. A store failure is retried, as Weir's
 * provisioning activity retries it; global teardown prints the cause the server logged.
 */
async function addStream(config: Partial<StreamConfig> & { name: string }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await jsm.streams.add(config);
      cleanups.push(() => jsm.streams.delete(config.name));
      return;
    } catch (error) {
      const storeFailed =
        error instanceof JetStreamApiError && error.code === STREAM_CREATE_FAILED && error.message === STORE_FAILED_MESSAGE;
      if (attempt === STREAM_ADD_ATTEMPTS || !storeFailed) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

/** A durable consumer configured the way Weir configures a component's input. */
async function createConsumer(stream: TestStream, durable: string): Promise<void> {
  await jsm.consumers.add(stream.name, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    ack_wait: 30 * SECOND_NS,
    max_ack_pending: 1000,
  });
}

/** A host folder to mount at /weir-data, removed after the test. */
async function createDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'weir-reference-'));
  // Writable for the container's root even when the engine maps it to another user.
  await chmod(dir, 0o777);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function startComponent(name: string, env: Record<string, string | number>, dataDir: string): Promise<Docker.Container> {
  const defaults = { NATS_URL: process.env.NATS_URL, WEIR_PIPELINE_ID: 'reference-test', WEIR_COMPONENT: name, ...accountCreds };
  const container = await startReferenceContainer(docker, { ...defaults, ...env }, dataDir);
  cleanups.push(() => container.remove({ force: true }));
  return container;
}

/** `docker stop` with a grace period, then the exit code. */
async function stopComponent(container: Docker.Container): Promise<number> {
  await container.stop({ t: STOP_GRACE_SECONDS });
  return exitCodeOf(container);
}

async function publishAll(subject: string, bodies: unknown[]): Promise<void> {
  const concurrency = 512;
  for (let start = 0; start < bodies.length; start += concurrency) {
    await Promise.all(bodies.slice(start, start + concurrency).map((body) => js.publish(subject, JSON.stringify(body))));
  }
}

function consumerInfo(stream: TestStream, durable: string) {
  return jsm.consumers.info(stream.name, durable);
}

/** Waits until the consumer has acked every message of its stream. */
async function waitUntilConsumed(stream: TestStream, durable: string, messages: number, timeoutMs = 60_000): Promise<void> {
  await eventually(
    () => consumerInfo(stream, durable),
    (info) => info.ack_floor.stream_seq === messages && info.num_pending === 0 && info.num_ack_pending === 0,
    timeoutMs,
  );
}

async function messageCount(stream: TestStream): Promise<number> {
  return (await jsm.streams.info(stream.name)).state.messages;
}

/** Every message in the stream, in order. */
async function readStream(stream: TestStream): Promise<StoredMessage[]> {
  const total = await messageCount(stream);
  const consumer = await js.consumers.get(stream.name);
  const messages: StoredMessage[] = [];
  while (messages.length < total) {
    const batch = await consumer.fetch({ max_messages: total - messages.length, expires: 2000 });
    const before = messages.length;
    for await (const message of batch) messages.push({ body: message.json(), msgId: message.headers?.get('Nats-Msg-Id') });
    if (messages.length === before) throw new Error(`${stream.name} has ${total} messages, but only ${before} could be read`);
  }
  return messages;
}

async function readJsonLines(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as unknown);
}

function seqsOf(bodies: unknown[]): number[] {
  return bodies.map((body) => (body as { seq: number }).seq);
}

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, index) => first + index);
}

describe('reference component', () => {
  test('a source publishes SOURCE_COUNT messages with seq 1..N, each once, then idles until stopped', async () => {
    const raw = await createStream('raw');
    const dataDir = await createDataDir();
    const source = await startComponent('gen', { WEIR_OUTPUT_SUBJECT: raw.subject, SOURCE_COUNT: 2000, SOURCE_KEYS: 7 }, dataDir);

    await waitForEvent(source, 'generated');
    const messages = await readStream(raw);
    expect(seqsOf(messages.map(({ body }) => body))).toEqual(range(1, 2000));
    expect(messages[6]).toEqual({ body: { seq: 7, key: 'k-0', ts: expect.any(Number) }, msgId: 'gen-7' });
    expect(messages.every(({ body, msgId }) => msgId === `gen-${(body as { seq: number }).seq}`)).toBe(true);
    expect((await source.inspect()).State.Running).toBe(true);
    expect(await stopComponent(source)).toBe(0);
    expect(lastEvent(await logEvents(source), 'stopped')).toMatchObject({ published: 2000, duplicates: 0, lastAckedSeq: 2000 });
    expect(await readFile(path.join(dataDir, 'gen.source-seq'), 'utf8')).toBe('2000\n');
  });

  test('a source stopped while generating resumes after its last acknowledged message when restarted', async () => {
    const raw = await createStream('raw');
    const dataDir = await createDataDir();
    const source = await startComponent('gen', { WEIR_OUTPUT_SUBJECT: raw.subject, SOURCE_COUNT: 2000, SOURCE_RATE: 1000 }, dataDir);
    await eventually(
      () => messageCount(raw),
      (count) => count >= 500,
    );
    expect(await stopComponent(source)).toBe(0);
    const saved = Number(await readFile(path.join(dataDir, 'gen.source-seq'), 'utf8'));
    expect(saved).toBeLessThan(2000);
    expect(lastEvent(await logEvents(source), 'stopped')).toMatchObject({ lastAckedSeq: saved });
    expect(await messageCount(raw)).toBe(saved);

    await source.start();
    await waitForEvent(source, 'generated');
    expect(lastEvent(await logEvents(source), 'started')).toMatchObject({ resumeAfter: saved });
    expect(seqsOf((await readStream(raw)).map(({ body }) => body))).toEqual(range(1, 2000));
    expect(await stopComponent(source)).toBe(0);
    expect(lastEvent(await logEvents(source), 'stopped')).toMatchObject({ published: 2000 - saved, duplicates: 0, lastAckedSeq: 2000 });
  });

  test('source → passthrough transform → file sink delivers every message exactly once', async () => {
    const count = 20_000;
    const raw = await createStream('raw');
    const cooked = await createStream('cooked');
    await createConsumer(raw, 'pass');
    await createConsumer(cooked, 'store');
    const dataDir = await createDataDir();

    const components = [
      await startComponent('store', { WEIR_INPUT_STREAM: cooked.name, WEIR_INPUT_CONSUMER: 'store' }, dataDir),
      await startComponent(
        'pass',
        { WEIR_INPUT_STREAM: raw.name, WEIR_INPUT_CONSUMER: 'pass', WEIR_OUTPUT_SUBJECT: cooked.subject },
        dataDir,
      ),
      await startComponent('gen', { WEIR_OUTPUT_SUBJECT: raw.subject, SOURCE_COUNT: count }, dataDir),
    ];
    await waitUntilConsumed(cooked, 'store', count);

    for (const component of components) expect(await stopComponent(component)).toBe(0);
    const stored = seqsOf(await readJsonLines(path.join(dataDir, 'store.jsonl')));
    expect(stored).toHaveLength(count);
    expect([...stored].sort((a, b) => a - b)).toEqual(range(1, count));
    expect(lastEvent(await logEvents(components[1]), 'stopped')).toMatchObject({ acked: count, published: count, dropped: 0, retried: 0 });
  });

  test('a filter transform publishes only the messages whose field equals FILTER_EQUALS', async () => {
    const input = await createStream('in');
    const output = await createStream('out');
    await createConsumer(input, 'reds');
    const bodies = range(1, 30).map((seq) => ({ seq, color: seq % 3 === 0 ? 'red' : 'blue' }));
    await publishAll(input.subject, bodies);
    await js.publish(input.subject, 'not json');
    await js.publish(input.subject, JSON.stringify({ seq: 31 }));

    const transform = await startComponent(
      'reds',
      {
        WEIR_INPUT_STREAM: input.name,
        WEIR_INPUT_CONSUMER: 'reds',
        WEIR_OUTPUT_SUBJECT: output.subject,
        TRANSFORM: 'filter',
        FILTER_FIELD: 'color',
        FILTER_EQUALS: 'red',
      },
      await createDataDir(),
    );
    await waitUntilConsumed(input, 'reds', 32);

    expect(await readStream(output)).toEqual(
      bodies.filter(({ color }) => color === 'red').map((body) => ({ body, msgId: `reds-${body.seq}` })),
    );
    expect(await stopComponent(transform)).toBe(0);
    expect(lastEvent(await logEvents(transform), 'stopped')).toMatchObject({ acked: 32, published: 10, dropped: 22 });
  });

  test('a dedupe transform drops messages whose key it published within DEDUPE_WINDOW_MS', async () => {
    const windowMs = 1500;
    const input = await createStream('in');
    const output = await createStream('out');
    await createConsumer(input, 'unique');
    const transform = await startComponent(
      'unique',
      {
        WEIR_INPUT_STREAM: input.name,
        WEIR_INPUT_CONSUMER: 'unique',
        WEIR_OUTPUT_SUBJECT: output.subject,
        TRANSFORM: 'dedupe',
        DEDUPE_WINDOW_MS: windowMs,
      },
      await createDataDir(),
    );

    await publishAll(
      input.subject,
      ['a', 'b', 'a', 'c', 'b', 'a'].map((key, index) => ({ seq: index + 1, key })),
    );
    await waitUntilConsumed(input, 'unique', 6);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    await publishAll(input.subject, [{ seq: 7, key: 'a' }]);
    await waitUntilConsumed(input, 'unique', 7);

    expect(seqsOf((await readStream(output)).map(({ body }) => body))).toEqual([1, 2, 4, 7]);
    expect(await stopComponent(transform)).toBe(0);
  });

  test.each(['sink', 'transform'] as const)(
    'SIGTERM stops a busy %s with exit code 0, nothing left unacked and nothing lost',
    async (mode) => {
      // Enough that the component is still busy when the signal comes: a quiet machine's transform relays 20,000 in
      // about a second, sooner than the first ack is seen and the signal delivered.
      const count = mode === 'transform' ? 100_000 : 20_000;
      const input = await createStream('in');
      const output = await createStream('out');
      await createConsumer(input, mode);
      await publishAll(
        input.subject,
        range(1, count).map((seq) => ({ seq })),
      );
      const outputEnv: Record<string, string> = mode === 'transform' ? { WEIR_OUTPUT_SUBJECT: output.subject } : {};
      const dataDir = await createDataDir();
      const component = await startComponent(mode, { WEIR_INPUT_STREAM: input.name, WEIR_INPUT_CONSUMER: mode, ...outputEnv }, dataDir);

      await eventually(
        () => consumerInfo(input, mode),
        (info) => info.ack_floor.stream_seq > 0,
        30_000,
        10,
      );
      expect(await stopComponent(component)).toBe(0);

      const info = await consumerInfo(input, mode);
      expect(info.num_ack_pending).toBe(0);
      expect(info.num_pending).toBeGreaterThan(0);
      const delivered =
        mode === 'sink'
          ? seqsOf(await readJsonLines(path.join(dataDir, `${mode}.jsonl`)))
          : seqsOf((await readStream(output)).map(({ body }) => body));
      expect(new Set(delivered).size).toBe(delivered.length);
      expect(delivered.length + info.num_pending).toBe(count);
      expect(lastEvent(await logEvents(component), 'stopped')).toMatchObject({ acked: delivered.length, retried: 0 });
    },
  );

  test('an HTTP sink acks a message only after a 2xx answer, retrying the others', async () => {
    const input = await createStream('in');
    await createConsumer(input, 'post');
    const received: unknown[] = [];
    let requests = 0;
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        // The first requests fail, so their messages are delivered only on redelivery.
        if (++requests <= 5) {
          response.writeHead(500).end();
          return;
        }
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        response.writeHead(204).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as AddressInfo;

    await publishAll(
      input.subject,
      range(1, 20).map((seq) => ({ seq })),
    );
    const sink = await startComponent(
      'post',
      { WEIR_INPUT_STREAM: input.name, WEIR_INPUT_CONSUMER: 'post', SINK: 'http', SINK_URL: `http://127.0.0.1:${port}/events` },
      await createDataDir(),
    );
    await waitUntilConsumed(input, 'post', 20);

    expect([...new Set(seqsOf(received))].sort((a, b) => a - b)).toEqual(range(1, 20));
    expect(await stopComponent(sink)).toBe(0);
    const stopped = lastEvent(await logEvents(sink), 'stopped');
    expect(stopped).toMatchObject({ acked: 20 });
    expect(stopped?.retried).toBeGreaterThan(0);
  });

  test('HTTP ingest answers 503 while the message cannot be stored, 202 once it is, and 400 for invalid JSON', async () => {
    const id = randomBytes(4).toString('hex');
    const port = await findFreePort();
    const source = await startComponent('ingest', { WEIR_OUTPUT_SUBJECT: `t.${id}.ingest`, SOURCE_HTTP_PORT: port }, await createDataDir());
    await waitForEvent(source, 'started');
    const ingest = (body: string) =>
      fetch(`http://127.0.0.1:${port}/ingest`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

    const withoutStream = await ingest('{"order": 1}');
    expect(withoutStream.status).toBe(503);

    const stream = { name: `t_${id}_ingest`, subject: `t.${id}.ingest` };
    await addStream({ name: stream.name, subjects: [stream.subject] });
    const accepted = await ingest('{"order": 2}');
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({ stream: stream.name, seq: 1, duplicate: false });
    expect(await readStream(stream)).toEqual([{ body: { order: 2 }, msgId: undefined }]);

    expect((await ingest('{"order": ')).status).toBe(400);
    expect(await messageCount(stream)).toBe(1);
    expect(await stopComponent(source)).toBe(0);
    expect(lastEvent(await logEvents(source), 'stopped')).toMatchObject({ ingested: 1 });
  });

  test('exits 1 with a clear message when NATS stays unreachable, and 2 when misconfigured', async () => {
    const dataDir = await createDataDir();
    const unreachable = await startComponent(
      'lonely',
      {
        NATS_URL: `nats://127.0.0.1:${await findFreePort()}`,
        NATS_CONNECT_TIMEOUT_MS: 1500,
        WEIR_OUTPUT_SUBJECT: 't.none',
        SOURCE_COUNT: 1,
      },
      dataDir,
    );
    const misconfigured = await startComponent('confused', { WEIR_MODE: 'shuffle', WEIR_OUTPUT_SUBJECT: 't.none' }, dataDir);

    expect(await exitCodeOf(unreachable)).toBe(1);
    expect(lastEvent(await logEvents(unreachable), 'failed')?.error).toMatch(
      /^could not connect to NATS at nats:\/\/127\.0\.0\.1:\d+ within 1\.5 s/,
    );
    expect(await exitCodeOf(misconfigured)).toBe(2);
    expect(lastEvent(await logEvents(misconfigured), 'failed')?.error).toBe(
      'WEIR_MODE must be one of source, transform, sink (got "shuffle")',
    );
  });
});
