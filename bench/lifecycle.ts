import type Docker from 'dockerode';
import type { WeirSystem } from '../harness/weir-system';
import type { LifecycleSample } from './lifecycle-sample';
import type { BenchParameters } from './parameters';
import type { PipelineIds } from './pipeline-ids';
import { rawContainerName, removeRawPipeline, timeRawDockerLifecycle } from './raw-docker-lifecycle';
import { TemporalFloor } from './temporal-floor/temporal-floor';
import { sampleInTurn } from './samples-in-turn';
import { deletePipelines } from './weir-api';
import { timeWeirLifecycle, type WeirLifecycleSample } from './weir-lifecycle';

export interface LifecycleResults {
  weir: WeirLifecycleSample[];
  rawDocker: LifecycleSample[];
  /** The raw twin's container stopped again after its resume, through the bare Temporal workflow. */
  temporalFloorStopMs: number[];
}

/**
 * Weir's lifecycle and the same Docker work done directly, one sample of each in turn, so that both see the same
 * background load: on a shared machine, load changes from minute to minute. Weir's pipeline is deleted before the
 * raw one starts, and Weir's worker then sits idle.
 */
export async function measureLifecycles(
  system: WeirSystem,
  docker: Docker,
  ids: PipelineIds,
  parameters: BenchParameters,
): Promise<LifecycleResults> {
  const count = parameters.lifecycleSamples + parameters.lifecycleWarmUps;
  const weirIds = ids.make('life', count);
  const rawIdList = ids.make('raw', count);
  const rawIds = new Map(weirIds.map((weirId, index) => [weirId, rawIdList[index]]));
  const floor = await TemporalFloor.start(system.config.temporal.address, docker, parameters.stopGraceSeconds);
  try {
    const pairs = await sampleInTurn(
      'lifecycle, Weir then raw Docker, then the bare Temporal stop',
      weirIds,
      async (weirId) => {
        const rawId = rawIds.get(weirId) as string;
        const weir = await timeWeirLifecycle(system, weirId, parameters);
        await deletePipelines(system, [weirId], 1);
        const rawDocker = await timeRawDockerLifecycle(docker, rawId, parameters);
        const temporalFloorStopMs = await floor.timeStop(rawId, rawContainerName(rawId));
        return { weir, rawDocker, temporalFloorStopMs };
      },
      async (weirId) => {
        await deletePipelines(system, [weirId], 1);
        await removeRawPipeline(docker, rawIds.get(weirId) as string);
      },
      parameters.lifecycleWarmUps,
    );
    return {
      weir: pairs.map(({ weir }) => weir),
      rawDocker: pairs.map(({ rawDocker }) => rawDocker),
      temporalFloorStopMs: pairs.map(({ temporalFloorStopMs }) => temporalFloorStopMs),
    };
  } finally {
    await floor.close();
  }
}
