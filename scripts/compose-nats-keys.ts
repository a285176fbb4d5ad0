// Run by the nats-keys service of docker-compose.yml: node --import tsx scripts/compose-nats-keys.ts <folder>
// Makes NATS's keys in <folder> on the first run and keeps them after, writes nats-server.conf from them, and writes
// weir.env, the variables that give the worker and the API the account (read with node --env-file).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureNatsAuthMaterial, natsAuthEnv } from './nats-auth';

async function main(folder: string | undefined): Promise<void> {
  if (!folder) throw new Error('usage: compose-nats-keys.ts <folder>');
  const variables = natsAuthEnv(await ensureNatsAuthMaterial(folder));
  const lines = Object.entries(variables).map(([name, value]) => `${name}=${value}\n`);
  await writeFile(path.join(folder, 'weir.env'), lines.join(''), { mode: 0o600 });
  process.stdout.write(`NATS keys and configuration are in ${folder} (account ${variables.WEIR_NATS_ACCOUNT})\n`);
}

main(process.argv[2]).catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
});
