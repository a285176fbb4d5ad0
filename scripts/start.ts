import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, temporalNamespaceOf, type WeirConfig } from '../config';
import { ownClusterProblem, startOwnCluster } from './kubernetes/start-cluster';
import { prepareLocalServices, type PreparedServices } from './local-services';
import { dataDir as defaultDataDir, repoRoot } from './repo-paths';
import { spawnProcess, type RunningService } from './services';

/** State kept between runs: the Temporal database, the NATS store and keys, the secrets. */
const dataDir = process.env.WEIR_DATA_DIR || defaultDataDir;

interface Setup {
  services: PreparedServices;
  temporalUiPort: number;
  /** The environment of the worker and the API. */
  env: NodeJS.ProcessEnv;
  config: WeirConfig;
  /** Where the logs of the cluster `npm start` started are, if it started one. */
  kubernetesLogsDir?: string;
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
    running.push(...(await setup.services.start()).services);
    if (needsOwnCluster(setup) && !stopRequested) {
      const cluster = await startOwnCluster(setup.config.kubernetes.namespace, setup.env);
      running.push(cluster.service);
      Object.assign(setup.env, cluster.env);
      setup.kubernetesLogsDir = cluster.logsDir;
    }
    for (const entry of ['worker/main.ts', 'api/main.ts']) {
      if (stopRequested) break;
      running.push(nodeProcess(path.basename(path.dirname(entry)), entry, setup.env));
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
  const temporalPort = portFromEnv('WEIR_TEMPORAL_PORT', 7233);
  const temporalUiPort = portFromEnv('WEIR_TEMPORAL_UI_PORT', 8233);
  const natsPort = portFromEnv('WEIR_NATS_PORT', 4222);
  await mkdir(dataDir, { recursive: true });
  // NATS's keys are made on the first start and kept: NATS admits only the users the worker signs with them.
  const services = await prepareLocalServices({
    dataDir,
    namespace: temporalNamespaceOf(),
    temporalPort,
    temporalUiPort,
    temporalDbFile: path.join(dataDir, 'temporal.db'),
    natsPort,
    detached: true,
  });
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    NATS_URL: `nats://127.0.0.1:${natsPort}`,
    // NATS listens on loopback only, which components reach on the host network.
    WEIR_DOCKER_NETWORK_MODE: process.env.WEIR_DOCKER_NETWORK_MODE || 'host',
    WEIR_SECRETS_DIR: secretsDir(),
    ...services.natsAuthEnv,
  };
  // The worker and the API would refuse an invalid variable too, but only once everything else had started.
  const config = loadConfig(env);
  const clusterProblem = ownClusterProblem(env);
  if (clusterProblem) throw new Error(clusterProblem);
  await mkdir(secretsDir(), { recursive: true });
  await chmod(secretsDir(), 0o700);
  return { services, temporalUiPort, env, config };
}

/** A Node process of Weir's, in a process group of its own so that Ctrl-C reaches only this script, which stops it. */
function nodeProcess(name: string, entry: string, env: NodeJS.ProcessEnv): RunningService {
  return spawnProcess({ name, command: process.execPath, args: ['--import', 'tsx', entry], cwd: repoRoot, env, detached: true });
}

/** Kubernetes mode without a KUBECONFIG: the cluster is one `npm start` runs itself. */
function needsOwnCluster(setup: Setup): boolean {
  return setup.config.orchestrator === 'kubernetes' && !setup.config.kubernetes.kubeconfig;
}

function announce(setup: Setup): void {
  const kubernetes = setup.config.orchestrator === 'kubernetes';
  console.log(
    [
      'Weir is running. Press Ctrl-C to stop.',
      `  API:         http://${setup.config.api.host}:${setup.config.api.port}`,
      `  Temporal UI: http://127.0.0.1:${setup.temporalUiPort}`,
      `  Data:        ${dataDir} (service logs: temporal.log, nats.log)`,
      `  Secrets:     ${secretsDir()} (one file per secret, for components' secret_env)`,
      `  NATS keys:   ${path.join(dataDir, 'nats-auth')} (each component gets credentials for its own streams only)`,
      ...(kubernetes
        ? [
            `  Kubernetes:  KUBECONFIG=${setup.env.KUBECONFIG}, namespace ${setup.config.kubernetes.namespace}` +
              (setup.kubernetesLogsDir ? ` (started here, gone once Weir stops; logs in ${setup.kubernetesLogsDir})` : ''),
          ]
        : []),
    ].join('\n'),
  );
}

function secretsDir(): string {
  return process.env.WEIR_SECRETS_DIR || path.join(dataDir, 'secrets');
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
