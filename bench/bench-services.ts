import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureDockerEngine } from '../scripts/docker-engine';
import { ensureLocalImages } from '../scripts/local-images';
import { findFreePort } from '../scripts/ports';
import { startTemporalDevServer } from '../scripts/services';
import { ensureTemporalCli } from '../scripts/tools';
import { progress } from './progress';

export interface BenchServices {
  temporalCli: string;
  stop(): Promise<void>;
}

/**
 * Makes sure Docker and the local images are there and starts a headless, in-memory Temporal dev server of its own
 * on a free loopback port; TEMPORAL_ADDRESS points at it from then on.
 */
export async function startBenchServices(): Promise<BenchServices> {
  await ensureDockerEngine();
  await ensureLocalImages();
  const temporalCli = await ensureTemporalCli();
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'weir-bench-'));
  const removeWorkDir = () => rm(workDir, { recursive: true, force: true });
  progress('starting a Temporal dev server');
  const temporal = await startTemporalDevServer({
    cli: temporalCli,
    port: await findFreePort(),
    logFile: path.join(workDir, 'temporal.log'),
    // Its own process group: Ctrl-C reaches only the benchmark, which cleans up and then stops the server.
    detached: true,
  }).catch(async (error: unknown) => {
    await removeWorkDir();
    throw error;
  });
  process.env.TEMPORAL_ADDRESS = temporal.address;
  return {
    temporalCli,
    async stop() {
      await temporal.stop();
      await removeWorkDir();
    },
  };
}
