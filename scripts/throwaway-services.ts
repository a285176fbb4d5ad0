import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { warnIfDiskIsLow } from './disk-space';
import { ensureDockerEngine } from './docker-engine';
import { ensureLocalImages } from './local-images';
import { ensureNatsAuthMaterial, natsAuthEnv } from './nats-auth';
import { findFreePort } from './ports';
import { startNatsServer, startTemporalDevServer, type RunningService } from './services';
import { ensureNatsServer, ensureTemporalCli } from './tools';

export interface ThrowawayServices {
  temporalCli: string;
  temporalAddress: string;
  natsUrl: string;
  /** WEIR_NATS_AUTH, WEIR_NATS_ACCOUNT and WEIR_NATS_SIGNING_KEY_FILE: NATS admits only users that Weir signs. */
  natsAuthEnv: Record<string, string>;
  /** Holds the NATS store, its keys and configuration, and the logs, temporal.log and nats.log. */
  workDir: string;
  /** Stops both servers and removes the work folder. */
  stop(): Promise<void>;
}

/**
 * Makes sure Docker, the local images and the tools are there, then starts a headless, in-memory Temporal dev
 * server and a NATS server on free loopback ports, in a temporary folder; what the tests and the benchmark run on.
 * NATS runs with keys of its own, made in that folder, as `npm start` runs it.
 * `detached` puts the servers in process groups of their own, so that Ctrl-C reaches only the caller.
 */
export async function startThrowawayServices({ name, detached = false }: { name: string; detached?: boolean }): Promise<ThrowawayServices> {
  await ensureDockerEngine();
  await ensureLocalImages();
  const temporalCli = await ensureTemporalCli();
  const natsServer = await ensureNatsServer();
  const workDir = await mkdtemp(path.join(os.tmpdir(), `weir-${name}-`));
  await warnIfDiskIsLow(workDir, `the ${name} NATS store`);
  const started: RunningService[] = [];
  const stop = async () => {
    for (const service of [...started].reverse()) await service.stop();
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    const temporal = await startTemporalDevServer({
      cli: temporalCli,
      port: await findFreePort(),
      logFile: path.join(workDir, 'temporal.log'),
      detached,
    });
    started.push(temporal);
    const natsAuth = await ensureNatsAuthMaterial(path.join(workDir, 'nats-auth'));
    const nats = await startNatsServer({
      bin: natsServer,
      port: await findFreePort(),
      storeDir: path.join(workDir, 'nats'),
      configFile: natsAuth.serverConfigFile,
      logFile: path.join(workDir, 'nats.log'),
      detached,
    });
    started.push(nats);
    return { temporalCli, temporalAddress: temporal.address, natsUrl: nats.address, natsAuthEnv: natsAuthEnv(natsAuth), workDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
