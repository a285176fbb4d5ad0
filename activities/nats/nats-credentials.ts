import { readFile } from 'node:fs/promises';
import { encodeUser, fmtCreds, type Permissions } from '@nats-io/jwt';
import { createUser, fromPublic, fromSeed, type KeyPair } from '@nats-io/nkeys';
import type { NatsAuthConfig } from '../../config';
import type { ComponentSpec } from '../../pipeline/pipeline-spec';
import { componentPermissions } from './component-permissions';

/**
 * Mints NATS users of Weir's account, signed with one of its signing keys: a user with the whole account for Weir
 * itself, and one per component allowed only that component's subjects. Each call makes a new user key; the users do
 * not expire, so a restarted container keeps working with the credentials it was created with.
 */
export class NatsCredentialIssuer {
  private constructor(
    private readonly account: string,
    private readonly signer: KeyPair,
  ) {}

  /** The issuer for `auth`, or undefined when Weir runs without NATS credentials. */
  static async fromConfig(auth: NatsAuthConfig): Promise<NatsCredentialIssuer | undefined> {
    if (auth.mode === 'none') return undefined;
    if (!isKeyOf(auth.account, 'A')) throw new Error('WEIR_NATS_ACCOUNT is not a valid account public key');
    return new NatsCredentialIssuer(auth.account, await readAccountSeed(auth.signingKeyFile, 'WEIR_NATS_SIGNING_KEY_FILE'));
  }

  /** Credentials with every permission in the account, for the worker's own connection. */
  control(): Promise<Uint8Array> {
    return this.mint('weir-control', {});
  }

  /** Credentials for the replicas of one component, with componentPermissions only. */
  component(pipelineId: string, component: ComponentSpec): Promise<Uint8Array> {
    return this.mint(`weir-${pipelineId}-${component.name}`, componentPermissions(pipelineId, component));
  }

  private async mint(name: string, permissions: Permissions): Promise<Uint8Array> {
    const user = createUser();
    const jwt = await encodeUser(name, user, this.account, permissions, { signer: this.signer });
    return fmtCreds(jwt, user);
  }
}

/** The account seed in `file`; errors name the variable and the file, never the content. */
async function readAccountSeed(file: string, variable: string): Promise<KeyPair> {
  const text = await readFile(file, 'utf8').catch((error: Error) => {
    throw new Error(`${variable}: cannot read ${file}: ${error.message}`);
  });
  try {
    const pair = fromSeed(new TextEncoder().encode(text.trim()));
    if (isKeyOf(pair.getPublicKey(), 'A')) return pair;
  } catch {
    // Reported below, without the nkeys message, which may quote the seed.
  }
  throw new Error(`${variable}: ${file} does not hold an account seed (one line starting with SA)`);
}

function isKeyOf(publicKey: string, prefix: 'A'): boolean {
  try {
    return fromPublic(publicKey).getPublicKey().startsWith(prefix);
  } catch {
    return false;
  }
}
