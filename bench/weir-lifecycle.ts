import type { WeirSystem } from '../harness/weir-system';
import type { LifecycleSample } from './lifecycle-sample';
import type { BenchParameters } from './parameters';
import { stopPhasesOf, type StopPhases } from './stop-phases';
import { timed } from './waiting';
import { createPipeline, timeCommand, timeWaitedCommand, untilStatus } from './weir-api';

export interface WeirLifecycleSample extends LifecycleSample {
  stopPhases: StopPhases;
}

/**
 * Create → Running, stop → Stopped and resume → Running through Weir's API, as a user sees them: create and resume
 * until health shows the status, the stop until its `?wait=` answers. The pipeline is left Running.
 */
export async function timeWeirLifecycle(system: WeirSystem, pipelineId: string, parameters: BenchParameters): Promise<WeirLifecycleSample> {
  const createToRunningMs = await timed(async () => {
    await createPipeline(system, pipelineId);
    await untilStatus(system, pipelineId, 'Running', parameters.statusPollMs);
  });
  const stopSentAtMs = Date.now();
  const stopToStoppedMs = await timeWaitedCommand(system, pipelineId, 'stop', 'Stopped');
  const resumeToRunningMs = await timeCommand(system, pipelineId, 'resume', 'Running', parameters.statusPollMs);
  // Read after the timings, so that the history call does not compete with them.
  const stopPhases = await stopPhasesOf(system, pipelineId, stopSentAtMs);
  return { createToRunningMs, stopToStoppedMs, resumeToRunningMs, stopPhases };
}
