import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { warnIfDiskIsLow } from '../../scripts/disk-space';
import { ensureDockerEngine } from '../../scripts/docker-engine';
import { ensureLocalImages } from '../../scripts/local-images';
import { findFreePort } from '../../scripts/ports';
import { startNatsServer, startTemporalDevServer } from '../../scripts/services';
import { ensureNatsServer, ensureTemporalCli } from '../../scripts/tools';
import globalTeardown from './global-teardown';
import './test-services';

/** Starts a throwaway Temporal dev server and NATS server shared by every test file. */
export default async function globalSetup(): Promise<void> {
  await ensureDockerEngine();
  await ensureLocalImages();
  const temporalCli = await ensureTemporalCli();
  const natsServer = await ensureNatsServer();

  const workDir = await mkdtemp(path.join(os.tmpdir(), 'weir-test-services-'));
  await warnIfDiskIsLow(workDir, 'the test NATS store');
  const logsDir = path.join(workDir, 'logs');
  globalThis.weirTestServices = { services: [], workDir };
  const { services } = globalThis.weirTestServices;
  try {
    const temporal = await startTemporalDevServer({
      cli: temporalCli,
      port: await findFreePort(),
      logFile: path.join(logsDir, 'temporal.log'),
    });
    services.push(temporal);
    const nats = await startNatsServer({
      bin: natsServer,
      port: await findFreePort(),
      storeDir: path.join(workDir, 'nats'),
      logFile: path.join(logsDir, 'nats.log'),
    });
    services.push(nats);

    // Test workers are started after global setup, so they inherit these.
    process.env.TEMPORAL_ADDRESS = temporal.address;
    process.env.NATS_URL = nats.address;
    process.env.WEIR_TEMPORAL_CLI = temporalCli;
    process.env.WEIR_TEST_SERVICES_LOGS = logsDir;
  } catch (error) {
    // Jest skips global teardown when global setup fails; the servers would outlive it.
    await globalTeardown();
    throw error;
  }
}
