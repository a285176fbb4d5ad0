import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeAccount, encodeOperator, type Account, type KeyPair } from '@nats-io/jwt';
import { createAccount, createOperator, fromSeed } from '@nats-io/nkeys';

/** What the worker needs to mint NATS users, and the nats-server configuration that trusts them. */
export interface NatsAuthMaterial {
  /** nats-server configuration with the operator and its accounts; pass it with `-c`. */
  serverConfigFile: string;
  /** Public key of the account that holds every pipeline's streams: WEIR_NATS_ACCOUNT. */
  account: string;
  /** File holding that account's signing seed: WEIR_NATS_SIGNING_KEY_FILE. */
  signingKeyFile: string;
}

const NO_LIMIT = -1;
/** Everything unlimited but JetStream: the system account needs no JetStream. */
const SYSTEM_LIMITS: Account['limits'] = {
  subs: NO_LIMIT,
  data: NO_LIMIT,
  payload: NO_LIMIT,
  imports: NO_LIMIT,
  exports: NO_LIMIT,
  wildcards: true,
  conn: NO_LIMIT,
  leaf: NO_LIMIT,
};
/** Everything unlimited, JetStream enabled: without the JetStream limits an account has no JetStream at all. */
const UNLIMITED: Account['limits'] = {
  ...SYSTEM_LIMITS,
  mem_storage: NO_LIMIT,
  disk_storage: NO_LIMIT,
  streams: NO_LIMIT,
  consumer: NO_LIMIT,
};

/**
 * Makes sure `dir` holds an operator, Weir's account with a signing key, and a system account, creating the keys on first
 * use and keeping them after, since JetStream stores streams under the account's key. The server configuration is
 * written anew from them each time. Every file is readable by the owner only.
 */
export async function ensureNatsAuthMaterial(dir: string): Promise<NatsAuthMaterial> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const operator = await keyFile(path.join(dir, 'operator.nk'), createOperator);
  const account = await keyFile(path.join(dir, 'account.nk'), createAccount);
  const signingKeyFile = path.join(dir, 'account-signing.nk');
  const signer = await keyFile(signingKeyFile, createAccount);
  const system = await keyFile(path.join(dir, 'system-account.nk'), createAccount);

  const systemJwt = await encodeAccount('SYS', system, { limits: SYSTEM_LIMITS }, { signer: operator });
  const accountJwt = await encodeAccount(
    'WEIR',
    account,
    { limits: UNLIMITED, signing_keys: [signer.getPublicKey()] },
    { signer: operator },
  );
  const operatorJwt = await encodeOperator('WEIR', operator, { system_account: system.getPublicKey() });
  const serverConfigFile = path.join(dir, 'nats-server.conf');
  await writeOwnerOnly(
    serverConfigFile,
    [
      `operator: "${operatorJwt}"`,
      `system_account: "${system.getPublicKey()}"`,
      'resolver: MEMORY',
      'resolver_preload: {',
      `  "${account.getPublicKey()}": "${accountJwt}"`,
      `  "${system.getPublicKey()}": "${systemJwt}"`,
      '}',
      '',
    ].join('\n'),
  );
  return { serverConfigFile, account: account.getPublicKey(), signingKeyFile };
}

/** The variables that give the worker and the API `material`. */
export function natsAuthEnv(material: NatsAuthMaterial): Record<string, string> {
  return { WEIR_NATS_AUTH: 'jwt', WEIR_NATS_ACCOUNT: material.account, WEIR_NATS_SIGNING_KEY_FILE: material.signingKeyFile };
}

/** The key pair whose seed `file` holds, made and saved first if the file does not exist. */
async function keyFile(file: string, create: () => KeyPair): Promise<KeyPair> {
  const existing = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing !== undefined) return fromSeed(new TextEncoder().encode(existing.trim()));
  const pair = create();
  await writeOwnerOnly(file, `${new TextDecoder().decode(pair.getSeed())}\n`);
  return pair;
}

async function writeOwnerOnly(file: string, contents: string): Promise<void> {
  await writeFile(file, contents, { mode: 0o600 });
  await chmod(file, 0o600);
}
