import type { PipelineSpec } from '../pipeline/pipeline-spec';

/**
 * What Weir needs from the message transport between components. Every operation is idempotent, as the
 * orchestrator's are, so a retried activity never doubles anything.
 */
export interface DataPlane {
  /** Creates the pipeline's streams and one durable consumer per component input; existing ones are kept. */
  provision(spec: PipelineSpec): Promise<void>;
  /** Messages a consuming component has not finished: pending plus delivered but unacknowledged. */
  unfinished(spec: PipelineSpec, component: string): Promise<number>;
  /** Removes every stream and consumer of the pipeline. */
  remove(pipelineId: string): Promise<void>;
}
