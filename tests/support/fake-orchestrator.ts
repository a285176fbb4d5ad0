import { Context } from '@temporalio/activity';
import type { Orchestrator, WaitOptions } from '../../activities/orchestrator';
import type { ComponentState } from '../../pipeline/heartbeat-details';
import type { PipelineSpec } from '../../pipeline/pipeline-spec';

export type FakeOperation = 'deploy' | 'waitUntilReady' | 'stopGracefully' | 'scale' | 'kill' | 'startAgain' | 'remove' | 'watch';

/** A promise the test opens when it wants a blocked operation to go on. */
export class Gate {
  private release!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  open(): void {
    this.release();
  }
}

export interface Behaviour {
  /** Operations that throw the given error on every call. */
  failing?: Partial<Record<FakeOperation, () => Error>>;
  /** Operations that wait for their gate before completing. */
  blocked?: Partial<Record<FakeOperation, Gate>>;
}

/**
 * An in-memory orchestrator for workflow tests, where failures, retries and slow
 * operations must be forced. It records every call, per pipeline.
 */
export class FakeOrchestrator implements Orchestrator {
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly calls = new Map<string, FakeOperation[]>();
  private readonly started = new Map<string, PipelineSpec>();

  configure(pipelineId: string, behaviour: Behaviour): void {
    this.behaviours.set(pipelineId, behaviour);
  }

  callsFor(pipelineId: string): FakeOperation[] {
    return this.calls.get(pipelineId) ?? [];
  }

  /** The spec of the last deploy, start again or scale, as the orchestrator got it. */
  lastStartedSpec(pipelineId: string): PipelineSpec | undefined {
    return this.started.get(pipelineId);
  }

  deploy(spec: PipelineSpec): Promise<void> {
    this.started.set(spec.pipeline_id, spec);
    return this.perform(spec.pipeline_id, 'deploy');
  }

  waitUntilReady(spec: PipelineSpec, options: WaitOptions): Promise<void> {
    options.onProgress([]);
    return this.perform(spec.pipeline_id, 'waitUntilReady');
  }

  stopGracefully(spec: PipelineSpec): Promise<void> {
    return this.perform(spec.pipeline_id, 'stopGracefully');
  }

  /** Records the spec it scales to, as a start does. */
  scale(spec: PipelineSpec): Promise<void> {
    this.started.set(spec.pipeline_id, spec);
    return this.perform(spec.pipeline_id, 'scale');
  }

  kill(spec: PipelineSpec): Promise<void> {
    return this.perform(spec.pipeline_id, 'kill');
  }

  startAgain(spec: PipelineSpec): Promise<void> {
    this.started.set(spec.pipeline_id, spec);
    return this.perform(spec.pipeline_id, 'startAgain');
  }

  remove(pipelineId: string): Promise<void> {
    return this.perform(pipelineId, 'remove');
  }

  /** Watches until the round ends, unless the behaviour makes the watch fail. */
  async watch(spec: PipelineSpec, options: WaitOptions): Promise<void> {
    await this.perform(spec.pipeline_id, 'watch');
    await new Promise<void>((resolve) => {
      if (options.signal.aborted) return resolve();
      options.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  async inspect(spec: PipelineSpec): Promise<ComponentState[]> {
    return spec.components.map((component) => ({
      component: component.name,
      desired_replicas: component.replicas,
      ready_replicas: component.replicas,
      state: 'running',
    }));
  }

  private async perform(pipelineId: string, operation: FakeOperation): Promise<void> {
    this.calls.set(pipelineId, [...this.callsFor(pipelineId), operation]);
    const behaviour = this.behaviours.get(pipelineId) ?? {};
    const gate = behaviour.blocked?.[operation];
    if (gate) await Promise.race([gate.opened, aborted(Context.current().cancellationSignal)]);
    const failure = behaviour.failing?.[operation];
    if (failure) throw failure();
  }
}

/** Blocked operations give up when the activity is cancelled, as real ones do. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(new Error('cancelled'));
    signal.addEventListener('abort', () => reject(new Error('cancelled')), { once: true });
  });
}
