import type { WeirSystem } from '../harness/weir-system';
import type { BenchParameters } from './parameters';
import { IDLE_COMPONENT } from './parameters';
import type { PipelineIds } from './pipeline-ids';
import { pollUntil, timed, withTimeout } from './waiting';
import { STEP_TIMEOUT_MS, createPipeline, sampleWeirPipelinesInTurn, timeCommand, untilStatus } from './weir-api';

/** One pipeline's plain stop plus resume, then a rolling edit of it that changes its env, end to end. */
export interface RollingEditSample {
  stopPlusResumeMs: number;
  rollingEditMs: number;
}

/**
 * The rolling edit against the work it is made of: each pipeline is stopped and resumed through the API, then edited
 * with `?apply=rolling` (a new env value, so its container is recreated), timed until it is Running on the new revision.
 */
export async function measureRollingEdits(system: WeirSystem, ids: PipelineIds, parameters: BenchParameters): Promise<RollingEditSample[]> {
  const pipelineIds = ids.make('roll', parameters.rollingEditSamples + parameters.lifecycleWarmUps);
  return sampleWeirPipelinesInTurn(
    system,
    'rolling edit against stop plus resume',
    pipelineIds,
    async (pipelineId) => {
      await createPipeline(system, pipelineId);
      await untilStatus(system, pipelineId, 'Running', parameters.statusPollMs);
      const stopMs = await timeCommand(system, pipelineId, 'stop', 'Stopped', parameters.statusPollMs);
      const resumeMs = await timeCommand(system, pipelineId, 'resume', 'Running', parameters.statusPollMs);
      const rollingEditMs = await timed(() => rollingEdit(system, pipelineId, parameters));
      return { stopPlusResumeMs: stopMs + resumeMs, rollingEditMs };
    },
    parameters.lifecycleWarmUps,
  );
}

async function rollingEdit(system: WeirSystem, pipelineId: string, parameters: BenchParameters): Promise<void> {
  const path = `/api/v1/pipeline/${pipelineId}`;
  const spec = { name: `Benchmark ${pipelineId}`, components: [{ ...IDLE_COMPONENT, env: { EDITED: 'yes' } }] };
  const answer = await withTimeout(system.request('PUT', `${path}?apply=rolling`, spec), STEP_TIMEOUT_MS, `rolling edit of ${pipelineId}`);
  if (answer.status !== 202) throw new Error(`rolling edit of ${pipelineId} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  await pollUntil(
    () => system.request('GET', path),
    ({ body }) => {
      if (body?.overall_status === 'Failed') throw new Error(`${pipelineId} failed: ${JSON.stringify(body.failure)}`);
      return body?.overall_status === 'Running' && body?.spec_revision === 2;
    },
    parameters.statusPollMs,
    STEP_TIMEOUT_MS * 2,
    `${pipelineId} running its rolling edit`,
  );
}
