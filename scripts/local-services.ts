import path from 'node:path';
import { STATUS_SEARCH_ATTRIBUTE } from '../pipeline/names';
import { warnIfDiskIsLow } from './disk-space';
import { ensureDockerEngine } from './docker-engine';
import { ensureLocalImages } from './local-images';
import { ensureNatsAuthMaterial, natsAuthEnv } from './nats-auth';
import { startNatsServer, startTemporalDevServer, type RunningService } from './services';
import { ensureNatsServer, ensureTemporalCli } from './tools';

export interface LocalServicesLayout {
  /** Holds the logs (temporal.log, nats.log), the NATS store and, unless given, the NATS keys. */
  dataDir: string;
  namespace: string;
  temporalPort: number;
  /** Without it Temporal runs headless. */
  temporalUiPort?: number;
  /** Without it Temporal keeps its state in memory only. */
  temporalDbFile?: string;
  natsPort: number;
  /** Where NATS's operator and account keys live; kept across starts, since JetStream stores streams by account. */
  natsAuthDir?: string;
  /** Process groups of their own, so that Ctrl-C reaches only the caller, which stops them in order. */
  detached: boolean;
}

export interface LocalServices {
  temporalCli: string;
  temporalAddress: string;
  natsUrl: string;
  /** WEIR_NATS_AUTH, WEIR_NATS_ACCOUNT and WEIR_NATS_SIGNING_KEY_FILE: NATS admits only users that Weir signs. */
  natsAuthEnv: Record<string, string>;
  /** In start order. */
  services: RunningService[];
  /** Stops the services in reverse order. */
  stop(): Promise<void>;
}

/** NATS's keys made, nothing installed or started yet: what `npm start` checks its configuration against. */
export interface PreparedServices {
  natsAuthEnv: Record<string, string>;
  start(): Promise<LocalServices>;
}

/**
 * The one provisioning sequence of `npm start`, the test setup and the benchmark: gives NATS its keys; `start` then
 * makes sure Docker, the local images and the tools are there and starts the Temporal dev server and NATS.
 */
export async function prepareLocalServices(layout: LocalServicesLayout): Promise<PreparedServices> {
  const natsAuth = await ensureNatsAuthMaterial(layout.natsAuthDir ?? path.join(layout.dataDir, 'nats-auth'));
  const authEnv = natsAuthEnv(natsAuth);

  const start = async (): Promise<LocalServices> => {
    await ensureDockerEngine();
    await ensureLocalImages();
    const temporalCli = await ensureTemporalCli();
    const natsServer = await ensureNatsServer();
    await warnIfDiskIsLow(layout.dataDir, 'the Temporal database and the NATS store');
    const services: RunningService[] = [];
    const stop = async () => {
      for (const service of [...services].reverse()) await service.stop();
    };
    try {
      services.push(
        await startTemporalDevServer({
          cli: temporalCli,
          port: layout.temporalPort,
          uiPort: layout.temporalUiPort,
          dbFile: layout.temporalDbFile,
          namespace: layout.namespace,
          searchAttributes: { [STATUS_SEARCH_ATTRIBUTE]: 'Keyword' },
          logFile: path.join(layout.dataDir, 'temporal.log'),
          detached: layout.detached,
        }),
      );
      services.push(
        await startNatsServer({
          bin: natsServer,
          port: layout.natsPort,
          storeDir: path.join(layout.dataDir, 'nats'),
          configFile: natsAuth.serverConfigFile,
          logFile: path.join(layout.dataDir, 'nats.log'),
          detached: layout.detached,
        }),
      );
    } catch (error) {
      await stop();
      throw error;
    }
    const [temporal, nats] = services;
    return { temporalCli, temporalAddress: temporal.address, natsUrl: nats.address, natsAuthEnv: authEnv, services, stop };
  };
  return { natsAuthEnv: authEnv, start };
}
