import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { temporalNamespaceOf } from '../config';
import { prepareLocalServices, type LocalServices } from './local-services';
import { findFreePort } from './ports';

export interface ThrowawayServices extends LocalServices {
  /** Holds the NATS store, its keys and configuration, and the logs, temporal.log and nats.log. */
  workDir: string;
}

/**
 * A headless, in-memory Temporal dev server and a NATS server on free loopback ports, in a temporary folder: what
 * the tests and the benchmark run on. Stopping them removes the folder.
 */
export async function startThrowawayServices({ name, detached = false }: { name: string; detached?: boolean }): Promise<ThrowawayServices> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), `weir-${name}-`));
  try {
    const prepared = await prepareLocalServices({
      dataDir: workDir,
      namespace: temporalNamespaceOf(),
      temporalPort: await findFreePort(),
      natsPort: await findFreePort(),
      detached,
    });
    const services = await prepared.start();
    return {
      ...services,
      workDir,
      stop: async () => {
        await services.stop();
        await rm(workDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}
