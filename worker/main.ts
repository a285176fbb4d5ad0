import { NativeConnection } from '@temporalio/worker';
import Docker from 'dockerode';
import { DockerOrchestrator } from '../activities/docker-orchestrator';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { createPipelineWorker } from './create-worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('weir-worker', config.logLevel);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const orchestrator = new DockerOrchestrator(new Docker(), {
    networkMode: config.docker.networkMode,
    pullMissingImages: config.docker.pullMissingImages,
    pollIntervalMs: 500,
  });
  const worker = await createPipelineWorker({ connection, namespace: config.temporal.namespace, orchestrator });
  logger.info({ temporal: config.temporal.address, docker_network_mode: config.docker.networkMode }, 'worker polling');
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((error: Error) => {
  console.error(`weir-worker: ${error.message}`);
  process.exit(1);
});
