import type Docker from 'dockerode';
import { containerName } from '../activities/docker/resource-names';
import type { WeirSystem } from '../harness/weir-system';
import type { BenchParameters } from './parameters';
import { threeStageComponents } from '../harness/pipeline-data';
import { TRANSFORM } from './three-stage-pipeline';
import { createPipeline, sampleWeirPipelinesInTurn, untilStatus } from './weir-api';

/** The source needs something to publish; what flows does not matter here. */
const MESSAGES = 10;

/** How long after the transform container dies health shows Failed, one pipeline after another; in milliseconds. */
export function measureFailureDetection(
  system: WeirSystem,
  docker: Docker,
  pipelineIds: string[],
  parameters: BenchParameters,
): Promise<number[]> {
  return sampleWeirPipelinesInTurn(system, 'failure detection', pipelineIds, (pipelineId) =>
    timeDetection(system, docker, pipelineId, parameters),
  );
}

async function timeDetection(system: WeirSystem, docker: Docker, pipelineId: string, parameters: BenchParameters): Promise<number> {
  await createPipeline(system, pipelineId, threeStageComponents(MESSAGES));
  await untilStatus(system, pipelineId, 'Running', parameters.statusPollMs);
  const transform = docker.getContainer(containerName(pipelineId, TRANSFORM.component, 0));
  await transform.kill({ signal: 'SIGKILL' });
  await untilStatus(system, pipelineId, 'Failed', parameters.statusPollMs);
  const failedSeenAt = Date.now();
  // Docker records the moment of death; the kill request returns a little later.
  return failedSeenAt - Date.parse((await transform.inspect()).State.FinishedAt);
}
