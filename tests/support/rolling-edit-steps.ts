import { eventually } from '../../harness/eventually';
import type { WeirSystem } from '../../harness/weir-system';
import type { TransitionRecord } from '../../pipeline/pipeline-view';

/** Each transition as `from→to`, with ` rN` when it belongs to the rolling edit to revision N. */
export const markedSteps = (records: Pick<TransitionRecord, 'from' | 'to' | 'rolling_edit'>[]) =>
  records.map(({ from, to, rolling_edit }) => `${from}→${to}${rolling_edit ? ` r${rolling_edit}` : ''}`);

/** The steps of a pipeline created Running and then rolled out to revision 2, each marked with that revision. */
export const ROLLED_OUT_TO_REVISION_2 = [
  'Created→Running',
  'Running→Stopping r2',
  'Stopping→Stopped r2',
  'Stopped→Stopped r2',
  'Stopped→Resuming r2',
  'Resuming→Running r2',
];

export async function transitionsOf(weir: WeirSystem, pipelineId: string): Promise<TransitionRecord[]> {
  return (await weir.request('GET', `/api/v1/pipeline/${pipelineId}/history`)).body.transitions;
}

/** Waits until the pipeline is Running on `revision`, as a rolling edit ends. */
export async function untilRunningOn(weir: WeirSystem, pipelineId: string, revision: number, timeoutMs: number): Promise<void> {
  await eventually(
    () => weir.request('GET', `/api/v1/pipeline/${pipelineId}`),
    ({ body }) => body.overall_status === 'Running' && body.spec_revision === revision,
    timeoutMs,
    100,
  );
}
