import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureDockerEngine } from '../scripts/docker-engine';
import { ensureLocalImages } from '../scripts/local-images';
import { findFreePort } from '../scripts/ports';
import { startNatsServer, startTemporalDevServer, type RunningService } from '../scripts/services';
import { ensureNatsServer, ensureTemporalCli } from '../scripts/tools';
import { progress } from './progress';

export interface BenchServices {
  temporalCli: string;
  natsUrl: string;
  stop(): Promise<void>;
}

/**
 * Makes sure Docker and the local images are there, and starts a headless, in-memory Temporal dev server and a NATS
 * server of its own on free loopback ports; TEMPORAL_ADDRESS and NATS_URL point at them from then on.
 */
export async function startBenchServices(): Promise<BenchServices> {
  await ensureDockerEngine();
  await ensureLocalImages();
  const temporalCli = await ensureTemporalCli();
  const natsServer = await ensureNatsServer();
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'weir-bench-'));
  const started: RunningService[] = [];
  const stop = async () => {
    for (const service of started.reverse()) await service.stop();
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    progress('starting a Temporal dev server and a NATS server');
    // Own process groups: Ctrl-C reaches only the benchmark, which cleans up and then stops the servers.
    const temporal = await startTemporalDevServer({
      cli: temporalCli,
      port: await findFreePort(),
      logFile: path.join(workDir, 'temporal.log'),
      detached: true,
    });
    started.push(temporal);
    const nats = await startNatsServer({
      bin: natsServer,
      port: await findFreePort(),
      storeDir: path.join(workDir, 'nats'),
      logFile: path.join(workDir, 'nats.log'),
      detached: true,
    });
    started.push(nats);
    process.env.TEMPORAL_ADDRESS = temporal.address;
    process.env.NATS_URL = nats.address;
    return { temporalCli, natsUrl: nats.address, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
