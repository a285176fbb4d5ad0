import type { DataPlane } from '../../activities/data-plane';
import type { PipelineSpec } from '../../pipeline/pipeline-spec';

/** A data plane with nothing in flight, for workflow tests, which are about statuses rather than messages. */
export class FakeDataPlane implements DataPlane {
  readonly provisioned: string[] = [];
  readonly removed: string[] = [];

  async provision(spec: PipelineSpec): Promise<void> {
    this.provisioned.push(spec.pipeline_id);
  }

  async unfinished(): Promise<number> {
    return 0;
  }

  async remove(pipelineId: string): Promise<void> {
    this.removed.push(pipelineId);
  }
}
