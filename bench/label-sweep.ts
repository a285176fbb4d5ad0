import type Docker from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';
import { ignoringStatus } from '../activities/docker/docker-errors';
import { PIPELINE_LABEL } from '../activities/docker/resource-names';

export interface SweepCounts {
  containers: number;
  networks: number;
  volumes: number;
}

const SWEEP_PASSES = 5;
/** Not interruptible: the sweep is what runs after an interruption. */
const BETWEEN_PASSES_MS = 1000;

type Seen = Record<keyof SweepCounts, Set<string>>;

/**
 * Removes every container, network and volume labelled with one of `pipelineIds`, whoever created it, and counts
 * them. It sweeps until a pass finds nothing, because an activity still under way may create more meanwhile.
 */
export async function sweepLabelled(docker: Docker, pipelineIds: ReadonlySet<string>): Promise<SweepCounts> {
  const seen: Seen = { containers: new Set(), networks: new Set(), volumes: new Set() };
  for (let pass = 1; ; pass++) {
    try {
      if (!(await sweepOnce(docker, pipelineIds, seen))) {
        return { containers: seen.containers.size, networks: seen.networks.size, volumes: seen.volumes.size };
      }
    } catch (error) {
      // 409: a network or volume is still in use by a container that appeared after this pass listed containers.
      if (pass === SWEEP_PASSES) throw error;
    }
    if (pass === SWEEP_PASSES) throw new Error(`resources of this run kept appearing after ${SWEEP_PASSES} sweeps`);
    await sleep(BETWEEN_PASSES_MS);
  }
}

/** One pass, in an order that frees networks and volumes before removing them; whether it found anything. */
async function sweepOnce(docker: Docker, pipelineIds: ReadonlySet<string>, seen: Seen): Promise<boolean> {
  const filters = { label: [PIPELINE_LABEL] };
  const ours = ({ Labels }: { Labels?: Record<string, string> | null }) => pipelineIds.has(Labels?.[PIPELINE_LABEL] ?? '');
  const removeAll = async (found: string[], into: Set<string>, remove: (id: string) => Promise<unknown>) => {
    for (const id of found) into.add(id);
    await Promise.all(found.map((id) => ignoringStatus(remove(id), 404)));
  };

  const containers = (await docker.listContainers({ all: true, filters })).filter(ours).map(({ Id }) => Id);
  await removeAll(containers, seen.containers, (id) => docker.getContainer(id).remove({ force: true, v: true }));
  const networks = (await docker.listNetworks({ filters })).filter(ours).map(({ Id }) => Id);
  await removeAll(networks, seen.networks, (id) => docker.getNetwork(id).remove());
  const volumes = ((await docker.listVolumes({ filters })).Volumes ?? []).filter(ours).map(({ Name }) => Name);
  await removeAll(volumes, seen.volumes, (name) => docker.getVolume(name).remove());
  return containers.length + networks.length + volumes.length > 0;
}
