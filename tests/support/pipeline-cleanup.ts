import { eventually } from './eventually';
import type { WeirSystem } from './system-harness';

/**
 * Removes pipelines a test made that are still there, such as those of a test that failed halfway: terminate, delete,
 * then whatever Docker resources are left of them.
 */
export async function removePipelines(weir: WeirSystem, ids: Iterable<string>, headers: Record<string, string> = {}): Promise<void> {
  for (const id of ids) {
    const pipeline = `/api/v1/pipeline/${id}`;
    if ((await weir.request('GET', pipeline, undefined, headers)).status === 200) {
      await weir.request('POST', `${pipeline}/terminate`, undefined, headers);
      await eventually(
        () => weir.request('GET', `${pipeline}/health`, undefined, headers),
        (health) => health.status !== 200 || health.body.overall_status === 'Stopped',
        60_000,
        200,
      ).catch(() => undefined);
      await weir.request('DELETE', pipeline, undefined, headers);
    }
    const filters = { label: [`weir.pipeline=${id}`] };
    for (const container of await weir.docker.listContainers({ all: true, filters }))
      await weir.docker.getContainer(container.Id).remove({ force: true });
    for (const network of await weir.docker.listNetworks({ filters })) await weir.docker.getNetwork(network.Id).remove();
    for (const volume of (await weir.docker.listVolumes({ filters })).Volumes ?? []) await weir.docker.getVolume(volume.Name).remove();
  }
}
