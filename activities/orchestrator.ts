import type { ComponentState } from '../pipeline/heartbeat-details';
import type { PipelineSpec } from '../pipeline/pipeline-spec';
import type { RunnableSpec } from './runnable-spec';

export interface WaitOptions {
  /** Aborted when the operation is cancelled (for example by terminate). */
  signal: AbortSignal;
  /** Called after every observation, so long waits can heartbeat. */
  onProgress: (states: ComponentState[]) => void;
}

/**
 * What Weir needs from a container platform. Every operation is idempotent:
 * calling it twice leaves the same resources as calling it once.
 */
export interface Orchestrator {
  /** Creates every resource the pipeline needs and starts its components, with the env and secret values the spec carries. */
  deploy(spec: RunnableSpec): Promise<void>;
  /** Resolves once every replica of every component is up; rejects if one dies. */
  waitUntilReady(spec: PipelineSpec, options: WaitOptions): Promise<void>;
  /** Asks components (all, or the named ones) to exit and force-stops them once the grace period passes. */
  stopGracefully(spec: PipelineSpec, graceSeconds: number, components?: string[]): Promise<void>;
  /**
   * Brings one component of a running pipeline to the replica count the spec gives it. Added replicas share the
   * component's consumer; surplus ones are asked to exit, so each finishes and acks what it holds, and are force-stopped
   * once the grace period passes. Resolves once the surplus is gone; the caller waits for the added ones to be ready.
   */
  scale(spec: RunnableSpec, component: string, graceSeconds: number): Promise<void>;
  /** Kills every component at once. */
  kill(spec: PipelineSpec): Promise<void>;
  /** Starts the components of a stopped pipeline again. */
  startAgain(spec: RunnableSpec): Promise<void>;
  /** Removes everything the pipeline owns and resolves when it is gone. */
  remove(pipelineId: string): Promise<void>;
  /**
   * Watches a running pipeline until the signal aborts, reporting component states on the way.
   * Rejects with a ComponentError as soon as a component exits or turns unhealthy.
   */
  watch(spec: PipelineSpec, options: WaitOptions): Promise<void>;
  /** Reports the state of each component. */
  inspect(spec: PipelineSpec): Promise<ComponentState[]>;
}
