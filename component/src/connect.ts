import { credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { NatsIdentity } from './config';
import { errorMessage, type Logger } from './log';
import { pause } from './pause';

const RETRY_INTERVAL_MS = 500;
const ATTEMPT_TIMEOUT_MS = 5_000;

interface ConnectOptions {
  servers: string[];
  identity: NatsIdentity;
  name: string;
  timeoutMs: number;
  signal: AbortSignal;
  logger: Logger;
}

/** Connects to NATS, retrying for `timeoutMs` since NATS may start after the component; undefined when stopped first. */
export async function connectWithRetry({
  servers,
  identity,
  name,
  timeoutMs,
  signal,
  logger,
}: ConnectOptions): Promise<NatsConnection | undefined> {
  const deadline = Date.now() + timeoutMs;
  const authenticator = identity.creds === undefined ? undefined : credsAuthenticator(new TextEncoder().encode(identity.creds));
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      // Once connected, reconnect forever: a NATS restart must not stop the component.
      return await connect({
        servers,
        name,
        authenticator,
        inboxPrefix: identity.inboxPrefix,
        timeout: ATTEMPT_TIMEOUT_MS,
        maxReconnectAttempts: -1,
        // Otherwise the client makes two errors, with stack traces, for every publish: a fifth of a relaying component's CPU.
        noAsyncTraces: true,
      });
    } catch (error) {
      if (Date.now() + RETRY_INTERVAL_MS >= deadline) {
        throw new Error(`could not connect to NATS at ${servers.join(',')} within ${timeoutMs / 1000} s: ${errorMessage(error)}`, {
          cause: error,
        });
      }
      if (attempt === 1) logger.info('waiting_for_nats', { servers, error: errorMessage(error) });
    }
    await pause(RETRY_INTERVAL_MS, signal);
  }
  return undefined;
}
