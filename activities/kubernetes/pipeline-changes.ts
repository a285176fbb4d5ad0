/**
 * A change count per pipeline, which the shared watches raise with every event that touches one of its objects, so
 * that a wait or a watch looks again only when something of its own pipeline changed.
 */
export class PipelineChanges {
  private readonly counts = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();

  count(pipelineId: string): number {
    return this.counts.get(pipelineId) ?? 0;
  }

  changed(pipelineId: string): void {
    this.counts.set(pipelineId, this.count(pipelineId) + 1);
    for (const wake of [...(this.waiters.get(pipelineId) ?? [])]) wake();
  }

  /** Resolves once the pipeline's count passes `seen`, or when the signal aborts. */
  since(pipelineId: string, seen: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted || this.count(pipelineId) > seen) return resolve();
      const waiters = this.waiters.get(pipelineId) ?? new Set();
      const done = () => {
        waiters.delete(done);
        if (waiters.size === 0) this.waiters.delete(pipelineId);
        signal.removeEventListener('abort', done);
        resolve();
      };
      waiters.add(done);
      this.waiters.set(pipelineId, waiters);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
