import { NativeConnection } from '@temporalio/worker';
import { JetStreamDataPlane } from '../activities/nats/jetstream-data-plane';
import { NatsConnectionProvider } from '../activities/nats/nats-connection';
import { NatsCredentialIssuer } from '../activities/nats/nats-credentials';
import { SecretDirectory } from '../secret-directory';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { createPipelineWorker } from './create-worker';
import { orchestratorFromConfig } from './orchestrator-from-config';
import { startWorkerMetrics } from './worker-metrics';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('weir-worker', config.logLevel);
  const natsCredentials = await NatsCredentialIssuer.fromConfig(config.nats.auth);
  if (!natsCredentials) {
    logger.warn(
      "WEIR_NATS_AUTH=none: components get no NATS credentials, so any component can read, write and delete every pipeline's streams",
    );
  }
  // Before any connection: the Temporal runtime, with its metrics exporter, is installed once per process.
  const metrics = await startWorkerMetrics(config);
  const configured = await orchestratorFromConfig(config);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const nats = new NatsConnectionProvider(config.nats.url, natsCredentials);
  const worker = await createPipelineWorker({
    connection,
    namespace: config.temporal.namespace,
    maxConcurrentActivities: config.worker.maxConcurrentActivities,
    activityInterceptors: metrics ? [metrics.activities.interceptor] : [],
    activities: {
      orchestrator: configured.orchestrator,
      dataPlane: new JetStreamDataPlane(nats),
      componentNatsUrl: config.nats.componentUrl,
      natsCredentials,
      secrets: new SecretDirectory(config.worker.secretsDir),
    },
  });
  logger.info(
    {
      temporal: config.temporal.address,
      nats: config.nats.url,
      nats_auth: config.nats.auth.mode,
      ...configured.description,
      metrics: metrics?.server.url ?? 'off',
    },
    'worker polling',
  );
  try {
    await worker.run();
  } finally {
    await metrics?.server.close();
    configured.close();
    await nats.close();
    await connection.close();
  }
}

main().catch((error: Error) => {
  console.error(`weir-worker: ${error.message}`);
  process.exit(1);
});
