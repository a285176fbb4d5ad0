import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, type WeirConfig } from '../config';
import { warnIfDiskIsLow } from './disk-space';
import { ensureDockerEngine } from './docker-engine';
import { ensureLocalImages } from './local-images';
import { ensureNatsAuthMaterial, natsAuthEnv, type NatsAuthMaterial } from './nats-auth';
import { dataDir, repoRoot } from './repo-paths';
import { RunningService, spawnProcess, startNatsServer, startTemporalDevServer } from './services';
import { ensureNatsServer, ensureTemporalCli } from './tools';

interface Setup {
  temporalCli: string;
  natsServer: string;
  temporalPort: number;
  temporalUiPort: number;
  natsPort: number;
  natsAuth: NatsAuthMaterial;
  /** The environment of the worker and the API. */
  env: NodeJS.ProcessEnv;
  config: WeirConfig;
}

async function main(): Promise<number> {
  let setup: Setup;
  try {
    setup = await prepare();
  } catch (error) {
    console.error(`weir: ${(error as Error).message}`);
    return 1;
  }

  // Installed only now: Ctrl-C during the installs above should simply abort them.
  let stopRequested = false;
  const stopSignal = new Promise<void>((resolve) => {
    const onSignal = (): void => {
      stopRequested = true;
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  const running: RunningService[] = [];
  try {
    for (const start of serviceStarters(setup)) {
      if (stopRequested) break;
      running.push(await start());
    }
  } catch (error) {
    console.error(`weir: ${(error as Error).message}`);
    await stopInReverse(running);
    return 1;
  }
  if (!stopRequested) announce(setup);

  const firstExit = Promise.race(running.map((service) => service.exited.then((how) => `${service.name} ${how}`)));
  const unexpectedExit = await Promise.race([stopSignal.then(() => undefined), firstExit]);
  if (unexpectedExit !== undefined) console.error(`weir: ${unexpectedExit}; stopping the rest`);
  await stopInReverse(running);
  return unexpectedExit === undefined ? 0 : 1;
}

async function prepare(): Promise<Setup> {
  const ports = {
    temporalPort: portFromEnv('WEIR_TEMPORAL_PORT', 7233),
    temporalUiPort: portFromEnv('WEIR_TEMPORAL_UI_PORT', 8233),
    natsPort: portFromEnv('WEIR_NATS_PORT', 4222),
  };
  // Made on the first start and kept: NATS admits only the users the worker signs with these keys.
  const natsAuth = await ensureNatsAuthMaterial(natsAuthDir());
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporalPort}`,
    NATS_URL: `nats://127.0.0.1:${ports.natsPort}`,
    // NATS listens on loopback only, which components reach on the host network.
    WEIR_DOCKER_NETWORK_MODE: process.env.WEIR_DOCKER_NETWORK_MODE || 'host',
    WEIR_SECRETS_DIR: secretsDir(),
    ...natsAuthEnv(natsAuth),
  };
  // The worker and the API would refuse an invalid variable too, but only once everything else had started.
  const config = loadConfig(env);
  await ensureDockerEngine();
  await ensureLocalImages();
  const temporalCli = await ensureTemporalCli();
  const natsServer = await ensureNatsServer();
  await mkdir(dataDir, { recursive: true });
  await mkdir(secretsDir(), { recursive: true });
  await chmod(secretsDir(), 0o700);
  await warnIfDiskIsLow(dataDir, 'the Temporal database and the NATS store');
  return { temporalCli, natsServer, ...ports, natsAuth, env, config };
}

/** In start order; each resolves once its service is up. */
function serviceStarters(setup: Setup): Array<() => Promise<RunningService>> {
  const { env } = setup;
  // Every process gets its own process group so that Ctrl-C reaches only this
  // script, which then stops them in reverse order.
  const nodeProcess = (name: string, entry: string) => async (): Promise<RunningService> =>
    spawnProcess({ name, command: process.execPath, args: ['--import', 'tsx', entry], cwd: repoRoot, env, detached: true });

  return [
    () =>
      startTemporalDevServer({
        cli: setup.temporalCli,
        port: setup.temporalPort,
        uiPort: setup.temporalUiPort,
        dbFile: path.join(dataDir, 'temporal.db'),
        logFile: path.join(dataDir, 'temporal.log'),
        detached: true,
      }),
    () =>
      startNatsServer({
        bin: setup.natsServer,
        port: setup.natsPort,
        storeDir: path.join(dataDir, 'nats'),
        configFile: setup.natsAuth.serverConfigFile,
        logFile: path.join(dataDir, 'nats.log'),
        detached: true,
      }),
    nodeProcess('worker', 'worker/main.ts'),
    nodeProcess('api', 'api/main.ts'),
  ];
}

function announce(setup: Setup): void {
  console.log(
    [
      'Weir is running. Press Ctrl-C to stop.',
      `  API:         http://${setup.config.api.host}:${setup.config.api.port}`,
      `  Temporal UI: http://127.0.0.1:${setup.temporalUiPort}`,
      `  Data:        ${dataDir} (service logs: temporal.log, nats.log)`,
      `  Secrets:     ${secretsDir()} (one file per secret, for components' secret_env)`,
      `  NATS keys:   ${natsAuthDir()} (each component gets credentials for its own streams only)`,
    ].join('\n'),
  );
}

function secretsDir(): string {
  return process.env.WEIR_SECRETS_DIR || path.join(dataDir, 'secrets');
}

function natsAuthDir(): string {
  return path.join(dataDir, 'nats-auth');
}

function portFromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name}=${value} is not a port number`);
  }
  return port;
}

async function stopInReverse(services: RunningService[]): Promise<void> {
  for (const service of [...services].reverse()) await service.stop();
}

void main().then((code) => process.exit(code));
