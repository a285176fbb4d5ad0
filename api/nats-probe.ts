import { errors } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

/** Whether a NATS server answers at `url` within a second; one that asks for credentials the probe lacks does answer. */
export async function isNatsReachable(url: string): Promise<boolean> {
  try {
    const connection = await connect({ servers: url, timeout: 1000, reconnect: false, name: 'weir-readiness' });
    await connection.close();
    return true;
  } catch (error) {
    return error instanceof errors.AuthorizationError;
  }
}
