import type Dockerode from 'dockerode';
import { ignoringStatus } from './docker-errors';
import { networkName, pipelineLabels } from './resource-names';

const creationsInFlight = new Map<string, Promise<void>>();

/**
 * Creates the pipeline's bridge network unless it exists. Docker's duplicate-name check is best effort: creates that
 * overlap can make several networks of one name, which containers then refuse as ambiguous. So overlapping calls
 * in this process share one create; overlapping creates from separate processes remain possible.
 */
export function ensurePipelineNetwork(docker: Dockerode, pipelineId: string): Promise<void> {
  let creation = creationsInFlight.get(pipelineId);
  if (!creation) {
    creation = createNetwork(docker, pipelineId).finally(() => creationsInFlight.delete(pipelineId));
    creationsInFlight.set(pipelineId, creation);
  }
  return creation;
}

async function createNetwork(docker: Dockerode, pipelineId: string): Promise<void> {
  const network = { Name: networkName(pipelineId), Driver: 'bridge', CheckDuplicate: true, Labels: pipelineLabels(pipelineId) };
  // 409: the network exists already.
  await ignoringStatus(docker.createNetwork(network), 409);
}
