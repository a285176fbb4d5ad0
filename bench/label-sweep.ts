import type Docker from 'dockerode';
import { ignoringStatus } from '../activities/docker/docker-errors';
import { PIPELINE_LABEL } from '../activities/docker/resource-names';

export interface SweepCounts {
  containers: number;
  networks: number;
  volumes: number;
}

/** Removes every container, network and volume labelled with one of `pipelineIds`, whoever created it. */
export async function sweepLabelled(docker: Docker, pipelineIds: ReadonlySet<string>): Promise<SweepCounts> {
  const filters = { label: [PIPELINE_LABEL] };
  const ours = (labels: Record<string, string> | null | undefined) => pipelineIds.has(labels?.[PIPELINE_LABEL] ?? '');

  const containers = (await docker.listContainers({ all: true, filters })).filter(({ Labels }) => ours(Labels));
  await Promise.all(containers.map(({ Id }) => ignoringStatus(docker.getContainer(Id).remove({ force: true, v: true }), 404)));
  const networks = (await docker.listNetworks({ filters })).filter(({ Labels }) => ours(Labels));
  await Promise.all(networks.map(({ Id }) => ignoringStatus(docker.getNetwork(Id).remove(), 404)));
  const volumes = ((await docker.listVolumes({ filters })).Volumes ?? []).filter(({ Labels }) => ours(Labels));
  await Promise.all(volumes.map(({ Name }) => ignoringStatus(docker.getVolume(Name).remove(), 404)));

  return { containers: containers.length, networks: networks.length, volumes: volumes.length };
}
