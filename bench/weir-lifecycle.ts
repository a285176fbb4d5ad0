import type { WeirSystem } from '../harness/weir-system';
import type { LifecycleSample } from './lifecycle-sample';
import type { BenchParameters } from './parameters';
import { timed } from './waiting';
import { createPipeline, sampleWeirPipelinesInTurn, timeCommand, untilStatus } from './weir-api';

/** Create → Running, stop → Stopped and resume → Running through Weir's API, as a user sees them. */
export function measureWeirLifecycles(system: WeirSystem, pipelineIds: string[], parameters: BenchParameters): Promise<LifecycleSample[]> {
  return sampleWeirPipelinesInTurn(
    system,
    'Weir lifecycle',
    pipelineIds,
    (pipelineId) => timeLifecycle(system, pipelineId, parameters),
    parameters.lifecycleWarmUps,
  );
}

async function timeLifecycle(system: WeirSystem, pipelineId: string, parameters: BenchParameters): Promise<LifecycleSample> {
  const createToRunningMs = await timed(async () => {
    await createPipeline(system, pipelineId);
    await untilStatus(system, pipelineId, 'Running', parameters.statusPollMs);
  });
  const stopToStoppedMs = await timeCommand(system, pipelineId, 'stop', 'Stopped', parameters.statusPollMs);
  const resumeToRunningMs = await timeCommand(system, pipelineId, 'resume', 'Running', parameters.statusPollMs);
  return { createToRunningMs, stopToStoppedMs, resumeToRunningMs };
}
