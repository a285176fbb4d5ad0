import type { StreamHolding } from '../pipeline/held-streams';
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
  /** The pipeline's streams other than `used` that still hold messages, with how many each holds. */
  heldStreamsBesides(pipelineId: string, used: string[]): Promise<StreamHolding[]>;
  /**
   * Removes the consumers no component of `spec` reads with, and the streams it no longer uses once they are empty.
   * Throws a StreamsNotEmptyError naming the unused streams that still hold messages, which it keeps.
   */
  retireUnusedBy(spec: PipelineSpec): Promise<void>;
  /** Removes every stream and consumer of the pipeline. */
  remove(pipelineId: string): Promise<void>;
}
