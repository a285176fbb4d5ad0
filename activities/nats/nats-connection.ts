import { credsAuthenticator, errors, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { NatsCredentialIssuer } from './nats-credentials';
import { natsUnreachableError } from './nats-errors';

/**
 * One shared, lazily opened NATS connection; a failed or closed one is replaced on next use. With an issuer it
 * connects as a user with the whole account; without one, anonymously.
 */
export class NatsConnectionProvider {
  private connection?: Promise<NatsConnection>;

  constructor(
    readonly url: string,
    private readonly issuer?: NatsCredentialIssuer,
  ) {}

  async get(): Promise<NatsConnection> {
    const current = this.connection ? await this.connection.catch(() => undefined) : undefined;
    if (current && !current.isClosed()) return current;
    this.connection = this.open();
    return this.connection;
  }

  async close(): Promise<void> {
    const current = await this.connection?.catch(() => undefined);
    this.connection = undefined;
    await current?.drain().catch(() => undefined);
  }

  private async open(): Promise<NatsConnection> {
    const authenticator = this.issuer ? credsAuthenticator(await this.issuer.control()) : undefined;
    try {
      return await connect({ servers: this.url, timeout: 2000, maxReconnectAttempts: -1, name: 'weir', authenticator });
    } catch (error) {
      const message = (error as Error).message;
      if (error instanceof errors.AuthorizationError) {
        const hint = this.issuer ? 'check WEIR_NATS_ACCOUNT and WEIR_NATS_SIGNING_KEY_FILE' : 'WEIR_NATS_AUTH=none, but the server requires credentials';
        throw new Error(`NATS at ${this.url} refused the connection: ${message} (${hint})`, { cause: error });
      }
      throw natsUnreachableError(`NATS at ${this.url} is unreachable: ${message}`);
    }
  }
}
