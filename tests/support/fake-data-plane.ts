import type { DataPlane } from '../../activities/data-plane';
import { StreamsNotEmptyError } from '../../activities/errors';
import type { StreamHolding } from '../../pipeline/held-streams';
import type { PipelineSpec } from '../../pipeline/pipeline-spec';
import { streamNames } from '../../pipeline/stream-graph';

/**
 * A data plane for workflow tests, which are about statuses rather than messages: nothing is in flight unless a test
 * says that a pipeline's streams hold messages.
 */
export class FakeDataPlane implements DataPlane {
  readonly provisioned: string[] = [];
  readonly removed: string[] = [];
  private readonly held = new Map<string, StreamHolding[]>();

  /** Makes the pipeline's streams hold messages, as far as edits and resumes can tell. */
  hold(pipelineId: string, holdings: StreamHolding[]): void {
    this.held.set(pipelineId, holdings);
  }

  async provision(spec: PipelineSpec): Promise<void> {
    this.provisioned.push(spec.pipeline_id);
  }

  async unfinished(): Promise<number> {
    return 0;
  }

  async heldStreamsBesides(pipelineId: string, used: string[]): Promise<StreamHolding[]> {
    return (this.held.get(pipelineId) ?? []).filter(({ stream, messages }) => messages > 0 && !used.includes(stream));
  }

  async retireUnusedBy(spec: PipelineSpec): Promise<void> {
    const held = await this.heldStreamsBesides(spec.pipeline_id, streamNames(spec.components));
    if (held.length > 0) throw new StreamsNotEmptyError(held);
  }

  async remove(pipelineId: string): Promise<void> {
    this.removed.push(pipelineId);
  }
}
