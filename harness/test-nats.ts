import { credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { NatsCredentialIssuer } from '../activities/nats/nats-credentials';
import { loadConfig } from '../config';

export function testNatsUrl(): string {
  const url = process.env.NATS_URL;
  if (!url) throw new Error('NATS_URL is not set; run the tests through jest so the global setup provides it');
  return url;
}

/** The issuer for the keys named in this process's environment, as the worker would make it. */
export function testNatsIssuer(): Promise<NatsCredentialIssuer | undefined> {
  return NatsCredentialIssuer.fromConfig(loadConfig(process.env).nats.auth);
}

/** A connection as Weir's own user, with the whole account, to look at streams from outside Weir. */
export async function connectAsWeir(natsUrl = testNatsUrl()): Promise<NatsConnection> {
  const issuer = await testNatsIssuer();
  return connect({ servers: natsUrl, authenticator: issuer && credsAuthenticator(await issuer.control()) });
}
