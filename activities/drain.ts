import type { DrainProgress } from '../pipeline/heartbeat-details';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PipelineSpec } from '../pipeline/pipeline-spec';
import { topologicalOrder } from '../pipeline/stream-graph';
import type { DataPlane } from './data-plane';
import type { Orchestrator } from './orchestrator';

/** How far a drain got; heartbeated, so a retried drain continues where the last one stopped. */
export interface DrainContext {
  orchestrator: Orchestrator;
  dataPlane: DataPlane;
  graceSeconds: number;
  previous?: DrainProgress;
  report(progress: DrainProgress): void;
  signal: AbortSignal;
  pollIntervalMs: number;
}

/**
 * Stops a pipeline without losing messages: the sources first, then each component in topological
 * order once its consumer has nothing pending or unacknowledged.
 */
export async function drainPipeline(spec: PipelineSpec, context: DrainContext): Promise<void> {
  const { orchestrator, dataPlane, graceSeconds, signal } = context;
  const progress: DrainProgress = { stopped: [...(context.previous?.stopped ?? [])], unfinished: { ...context.previous?.unfinished } };
  const order = topologicalOrder(spec.components) ?? spec.components.map((component) => component.name);
  const stop = async (names: string[]) => {
    await orchestrator.stopGracefully(spec, graceSeconds, names);
    progress.stopped.push(...names);
    context.report(progress);
  };

  const sources = spec.components.filter((component) => !component.input && !progress.stopped.includes(component.name));
  if (sources.length > 0) await stop(sources.map((component) => component.name));

  for (const name of order) {
    if (progress.stopped.includes(name)) continue;
    for (;;) {
      signal.throwIfAborted();
      const unfinished = await dataPlane.unfinished(spec, name);
      progress.unfinished[name] = unfinished;
      context.report(progress);
      if (unfinished === 0) break;
      await sleep(context.pollIntervalMs, undefined, { signal });
    }
    await stop([name]);
  }
}
