import { hasExited, type Replica } from './component-state';

/**
 * When this worker began stopping or killing each pipeline. A watch of the pipeline still running then was cancelled
 * as the pipeline left Running, but learns so only from its next heartbeat; until then, the exits this worker caused
 * are not failures, and reporting them would only cost Docker calls and a workflow task in the middle of the stop.
 */
export class OwnStops {
  private readonly began = new Map<string, number>();

  begin(pipelineId: string): void {
    this.began.set(pipelineId, Date.now());
  }

  forget(pipelineId: string): void {
    this.began.delete(pipelineId);
  }

  /** Whether some replicas have exited and every one either runs or had started before this worker began stopping it. */
  explain(pipelineId: string, replicas: Replica[]): boolean {
    const began = this.began.get(pipelineId);
    if (began === undefined || !replicas.some(hasExited)) return false;
    return replicas.every(
      (replica) => replica?.State.Status === 'running' || (hasExited(replica) && Date.parse(replica.State.StartedAt) < began),
    );
  }
}
