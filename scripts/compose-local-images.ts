// npm run compose:local-images: builds docker-compose.yml's images from this machine's binaries, for machines that
// cannot pull, and writes the variables that select them to .data/compose.env, for `docker-compose --env-file`.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureComposeLocalImages } from './compose-images';
import { ensureDockerEngine } from './docker-engine';
import { dataDir } from './repo-paths';

const envFile = path.join(dataDir, 'compose.env');

async function main(): Promise<void> {
  await ensureDockerEngine();
  const variables = await ensureComposeLocalImages();
  const lines = Object.entries(variables).map(([name, value]) => `${name}=${value}\n`);
  await mkdir(dataDir, { recursive: true });
  await writeFile(envFile, lines.join(''));
  process.stdout.write(
    `${lines.join('')}\nwritten to ${envFile}; start the stack with\n` +
      `  WEIR_API_TOKEN=$(openssl rand -hex 24) docker-compose -p weir --env-file ${path.relative(process.cwd(), envFile)} up\n`,
  );
}

main().catch((error: Error) => {
  process.stderr.write(`weir: ${error.message}\n`);
  process.exitCode = 1;
});
