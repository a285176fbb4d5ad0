import http from 'node:http';
import type { PubAck } from '@nats-io/jetstream';
import { errorMessage } from './log';

const INGEST_PATH = '/ingest';
/** NATS's default max_payload. */
const MAX_BODY_BYTES = 1024 * 1024;

interface IngestServer {
  /** Stops accepting requests and resolves once the ones in progress are answered. */
  close(): Promise<void>;
}

/** `POST /ingest` with a JSON body: 202 once `publish` is acknowledged, 400 for invalid JSON, 503 when publishing fails. */
export async function startIngestServer(port: number, publish: (body: Buffer) => Promise<PubAck>): Promise<IngestServer> {
  const server = http.createServer((request, response) => {
    // Rejects only when the client went away mid-request; nobody is left to answer.
    handleRequest(request, response, publish).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  return { close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function handleRequest(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  publish: (body: Buffer) => Promise<PubAck>,
): Promise<void> {
  const { pathname } = new URL(request.url ?? '/', 'http://ingest');
  if (pathname !== INGEST_PATH) return reply(response, 404, { error: `not found; POST JSON to ${INGEST_PATH}` });
  if (request.method !== 'POST') return reply(response, 405, { error: `use POST ${INGEST_PATH}` });
  const body = await readBody(request);
  if (body === undefined) return reply(response, 413, { error: `body exceeds ${MAX_BODY_BYTES} bytes` });
  if (!isJson(body)) return reply(response, 400, { error: 'body is not valid JSON' });
  try {
    const ack = await publish(body);
    reply(response, 202, { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate });
  } catch (error) {
    reply(response, 503, { error: `could not publish to NATS: ${errorMessage(error)}` });
  }
}

/** The whole body, or undefined when it is too large; an oversized body is still read so that the answer arrives. */
async function readBody(request: http.IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined;
}

function isJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

function reply(response: http.ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
