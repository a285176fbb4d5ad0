import { credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { RoleOptions } from './settings';

/**
 * Connects as the NATS user the role was given: one with the permissions Weir gives the component it stands in for,
 * so that the server checks the same permissions on every publish and ack as it does for Weir's components.
 */
export function connectAsRole({ natsUrl, identity, settings }: RoleOptions): Promise<NatsConnection> {
  return connect({
    servers: natsUrl,
    authenticator: identity.creds === undefined ? undefined : credsAuthenticator(new TextEncoder().encode(identity.creds)),
    inboxPrefix: identity.inboxPrefix,
    noAsyncTraces: !settings.asyncTraces,
  });
}
