import type Docker from 'dockerode';
import { containerCreateOptions } from '../activities/docker/container-options';
import { containerName, networkName, pipelineLabels, volumeName } from '../activities/docker/resource-names';
import { sweepLabelled } from './label-sweep';
import type { LifecycleSample } from './lifecycle-sample';
import { IDLE_COMPONENT, type BenchParameters } from './parameters';
import { messageOf, progress } from './progress';
import { pollUntil, timed } from './waiting';

const STATE_TIMEOUT_MS = 60_000;

/** The one container of the raw lifecycle of `pipelineId`, left running after its resume. */
export function rawContainerName(pipelineId: string): string {
  return containerName(pipelineId, IDLE_COMPONENT.name, 0);
}

/** Removes what a raw lifecycle made; failures are reported, and the final sweep removes what is left. */
export async function removeRawPipeline(docker: Docker, pipelineId: string): Promise<void> {
  await sweepLabelled(docker, new Set([pipelineId])).catch((error: unknown) =>
    progress(`could not remove ${pipelineId}: ${messageOf(error)}`),
  );
}

/**
 * The Docker work behind each Weir step, done directly with dockerode: the same network, volume and container
 * options, but no Temporal, no API and no readiness rule beyond State.Status.
 */
export async function timeRawDockerLifecycle(docker: Docker, pipelineId: string, parameters: BenchParameters): Promise<LifecycleSample> {
  const labels = pipelineLabels(pipelineId);
  const options = containerCreateOptions({ pipelineId, component: IDLE_COMPONENT, replica: 0, networkMode: networkName(pipelineId) });
  const createStarted = performance.now();
  await docker.createNetwork({ Name: networkName(pipelineId), Driver: 'bridge', Labels: labels });
  await docker.createVolume({ Name: volumeName(pipelineId), Labels: labels });
  const container = await docker.createContainer(options);
  const reaches = (status: string) => untilState(container, status, parameters.statusPollMs);
  await container.start();
  await reaches('running');
  const createToRunningMs = performance.now() - createStarted;
  // Docker answers a stop once the container has exited, as `docker stop` does.
  const stopToStoppedMs = await timed(() => container.stop({ t: parameters.stopGraceSeconds }));
  await reaches('exited');
  const resumeToRunningMs = await timed(async () => {
    await container.start();
    await reaches('running');
  });
  return { createToRunningMs, stopToStoppedMs, resumeToRunningMs };
}

async function untilState(container: Docker.Container, status: string, pollMs: number): Promise<void> {
  await pollUntil(
    () => container.inspect(),
    ({ State }) => State.Status === status,
    pollMs,
    STATE_TIMEOUT_MS,
    `container ${container.id} becoming ${status}`,
  );
}
