import { PipelineWatcher, type Baseline, type Subscriber, type WatchSource, type WatcherObserver } from './pipeline-watcher';

/** How long the API follows a pipeline after a command it accepted, for the metrics of its transient statuses. */
const FOLLOW_LIMIT_MS = 15 * 60_000;
/** Pipelines followed at once after commands; past this, further commands are not followed. */
const MAX_FOLLOWED = 200;

/**
 * The API's watchers, one per pipeline that anyone watches: event streams, requests waiting for a pipeline to settle,
 * and the metrics following a pipeline after a command. A watcher starts with its first subscriber and stops when
 * its last one leaves.
 */
export class PipelineWatchers {
  private readonly watchers = new Map<string, PipelineWatcher>();
  /** The newest record this process has seen of each pipeline it watched, so no record is reported to metrics twice. */
  private readonly seen = new Map<string, number>();
  private followed = 0;
  /** Existence checks in flight, one per pipeline however many streams open at once. */
  private readonly checks = new Map<string, Promise<void>>();

  constructor(
    private readonly source: WatchSource,
    private readonly observer: WatcherObserver,
  ) {}

  get size(): number {
    return this.watchers.size;
  }

  /** Resolves when the pipeline exists, rejects with 404 when not; a pipeline being watched needs no Temporal call. */
  exists(pipelineId: string): Promise<void> {
    const live = this.watchers.get(pipelineId);
    if (live && !live.ended && live.status !== undefined) return Promise.resolve();
    let check = this.checks.get(pipelineId);
    if (!check) {
      check = this.source.get(pipelineId).then(() => undefined);
      const settled = check.finally(() => this.checks.delete(pipelineId));
      settled.catch(() => undefined);
      this.checks.set(pipelineId, check);
    }
    return check;
  }

  /** Subscribes to a pipeline's watcher, starting one if needed; returns how to leave. */
  subscribe(pipelineId: string, subscriber: Subscriber, since?: number): () => void {
    let watcher = this.watchers.get(pipelineId);
    if (!watcher || watcher.ended) {
      const seen = this.seen.get(pipelineId);
      const baseline: Baseline = seen !== undefined ? { seq: seen } : since !== undefined ? { since } : undefined;
      const started: PipelineWatcher = new PipelineWatcher(pipelineId, this.source, baseline, this.observer, () => this.retire(started));
      watcher = started;
      this.watchers.set(pipelineId, watcher);
    }
    return watcher.subscribe(subscriber);
  }

  /**
   * Follows a pipeline after a command sent at `since`, until it settles (or, for a delete, is gone), so that metrics
   * see how its transient status ends. Returns how to stop following, for a command that was not accepted.
   */
  follow(pipelineId: string, since: number, until: 'settled' | 'gone' = 'settled'): () => void {
    if (this.followed >= MAX_FOLLOWED) return () => undefined;
    this.followed += 1;
    // A delete ends in gone, or in Failed when the removal fails.
    const reached = (watcher: PipelineWatcher) => watcher.settledSince(since) && (until === 'settled' || watcher.status === 'Failed');
    const following = this.watchUntil(pipelineId, since, FOLLOW_LIMIT_MS, reached);
    void following.reached.finally(() => (this.followed -= 1));
    return following.cancel;
  }

  /** Follows a pipeline just created: every record of its ledger is news, unless this is a retried create. */
  followNew(pipelineId: string): void {
    if (!this.seen.has(pipelineId)) this.seen.set(pipelineId, 0);
    this.follow(pipelineId, Date.now());
  }

  /** Stays subscribed until `reached` holds for a newer view, the pipeline is gone, time runs out or `cancel` is called. */
  private watchUntil(pipelineId: string, since: number, timeoutMs: number, reached: (watcher: PipelineWatcher) => boolean) {
    let finish: (outcome: boolean) => void = () => undefined;
    const outcome = new Promise<boolean>((resolve) => {
      let done = false;
      finish = (value: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(value);
        // The watcher may call in while subscribe has not yet returned the way to leave.
        queueMicrotask(() => leave());
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const leave = this.subscribe(
        pipelineId,
        {
          wantsHealth: false,
          viewChanged: (watcher) => {
            if (reached(watcher)) finish(true);
          },
          ended: (gone) => finish(gone),
        },
        since,
      );
    });
    return { reached: outcome, cancel: () => finish(false) };
  }

  /** Stops every watcher, ending their streams without a final event. */
  close(): void {
    for (const watcher of this.watchers.values()) watcher.stop();
    this.watchers.clear();
  }

  private retire(watcher: PipelineWatcher): void {
    if (this.watchers.get(watcher.pipelineId) !== watcher) return;
    this.watchers.delete(watcher.pipelineId);
    if (watcher.ended) this.seen.delete(watcher.pipelineId);
    else if (watcher.seenUpTo !== undefined) this.seen.set(watcher.pipelineId, watcher.seenUpTo);
  }
}
