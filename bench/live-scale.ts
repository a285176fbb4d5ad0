import type { WeirSystem } from '../harness/weir-system';
import { IDLE_COMPONENT, type BenchParameters } from './parameters';
import type { PipelineIds } from './pipeline-ids';
import { createPipeline, sampleWeirPipelinesInTurn, timeScale, untilReplicas, untilStatus } from './weir-api';

export interface LiveScaleSample {
  /** From the scale request until health shows every new replica ready. */
  upMs: number;
  /** From the scale request until health shows only the remaining replicas, the surplus stopped gracefully. */
  downMs: number;
}

/** Scales one Running pipeline's component up and back down, one pipeline after another, after warm-ups. */
export function measureLiveScales(system: WeirSystem, ids: PipelineIds, parameters: BenchParameters): Promise<LiveScaleSample[]> {
  const { scaleSamples, scaleWarmUps, scaleReplicas, statusPollMs } = parameters;
  const pipelineIds = ids.make('scale', scaleSamples + scaleWarmUps);
  return sampleWeirPipelinesInTurn(
    system,
    `live scale 1 -> ${scaleReplicas} -> 1`,
    pipelineIds,
    async (pipelineId) => {
      await createPipeline(system, pipelineId);
      await untilStatus(system, pipelineId, 'Running', statusPollMs);
      // Health shows the replica ready from the first watch's heartbeat: each scale starts from a settled health.
      await untilReplicas(system, pipelineId, IDLE_COMPONENT.name, IDLE_COMPONENT.replicas, statusPollMs);
      const upMs = await timeScale(system, pipelineId, IDLE_COMPONENT.name, scaleReplicas, statusPollMs);
      const downMs = await timeScale(system, pipelineId, IDLE_COMPONENT.name, IDLE_COMPONENT.replicas, statusPollMs);
      return { upMs, downMs };
    },
    scaleWarmUps,
  );
}
