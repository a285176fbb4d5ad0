import { rm } from 'node:fs/promises';
import './test-services';

export default async function globalTeardown(): Promise<void> {
  const started = globalThis.weirTestServices;
  if (!started) return;
  for (const service of [...started.services].reverse()) await service.stop();
  await rm(started.workDir, { recursive: true, force: true });
  globalThis.weirTestServices = undefined;
}
