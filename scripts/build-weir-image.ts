// npm run image: builds weir:latest (docs/kubernetes.md#weirs-image).
//   npm run image                          # on local/weir-node, made from this machine's node: no registry needed
//   npm run image -- node:20-bookworm-slim # on an image from a registry
import Docker from 'dockerode';
import { ensureDockerEngine } from './docker-engine';
import { WEIR_IMAGE, buildWeirImage } from './weir-image';

async function main(): Promise<void> {
  await ensureDockerEngine();
  const base = await buildWeirImage(new Docker(), process.argv[2]);
  process.stdout.write(`${WEIR_IMAGE} built on ${base}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`weir: ${error.message}\n`);
  process.exitCode = 1;
});
