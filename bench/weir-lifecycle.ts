import type { WeirSystem } from '../tests/support/system-harness';
import type { PipelineStatus } from '../workflows/status-machine';
import type { LifecycleSample } from './lifecycle-sample';
import type { BenchParameters } from './parameters';
import { sampleInTurn } from './samples-in-turn';
import { timed } from './waiting';
import { createPipeline, deletePipelines, sendCommand, untilStatus } from './weir-api';

const STEP_TIMEOUT_MS = 60_000;

/** Create → Running, stop → Stopped and resume → Running through Weir's API, as a user sees them. */
export function measureWeirLifecycles(system: WeirSystem, pipelineIds: string[], parameters: BenchParameters): Promise<LifecycleSample[]> {
  return sampleInTurn(
    'Weir lifecycle',
    pipelineIds,
    (pipelineId) => timeLifecycle(system, pipelineId, parameters),
    (pipelineId) => deletePipelines(system, [pipelineId], 1),
    parameters.lifecycleWarmUps,
  );
}

async function timeLifecycle(system: WeirSystem, pipelineId: string, parameters: BenchParameters): Promise<LifecycleSample> {
  const reaches = (status: PipelineStatus) => untilStatus(system, pipelineId, status, parameters.statusPollMs, STEP_TIMEOUT_MS);
  const createToRunningMs = await timed(async () => {
    await createPipeline(system, pipelineId);
    await reaches('Running');
  });
  const stopToStoppedMs = await timed(async () => {
    await sendCommand(system, pipelineId, 'stop');
    await reaches('Stopped');
  });
  const resumeToRunningMs = await timed(async () => {
    await sendCommand(system, pipelineId, 'resume');
    await reaches('Running');
  });
  return { createToRunningMs, stopToStoppedMs, resumeToRunningMs };
}
