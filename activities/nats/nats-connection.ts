import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

/** One shared, lazily opened NATS connection; a failed or closed one is replaced on next use. */
export class NatsConnectionProvider {
  private connection?: Promise<NatsConnection>;

  constructor(readonly url: string) {}

  async get(): Promise<NatsConnection> {
    const current = this.connection ? await this.connection.catch(() => undefined) : undefined;
    if (current && !current.isClosed()) return current;
    this.connection = connect({ servers: this.url, timeout: 2000, maxReconnectAttempts: -1, name: 'weir' }).catch((error: Error) => {
      throw new Error(`NATS at ${this.url} is unreachable: ${error.message}`);
    });
    return this.connection;
  }

  async close(): Promise<void> {
    const current = await this.connection?.catch(() => undefined);
    this.connection = undefined;
    await current?.drain().catch(() => undefined);
  }
}
