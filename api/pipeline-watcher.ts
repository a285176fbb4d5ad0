import { setTimeout as sleep } from 'node:timers/promises';
import { drainProgressOf } from '../pipeline/heartbeat-details';
import type { PipelineView } from '../pipeline/pipeline-view';
import { isSettled, type PipelineStatus } from '../pipeline/status-machine';
import { ApiError } from './api-error';
import type { ActivityObservation } from './component-health';
import { historyNews } from './history-news';
import type { HistoryPage, HistoryPosition, PipelineRecord } from './pipeline-gateway';
import { drainEventBody, healthBody, healthEventBody, transitionEventBody } from './response-bodies';

/** What a watcher asks of Temporal: the gateway. */
export interface WatchSource {
  queryView(pipelineId: string, signal?: AbortSignal): Promise<PipelineView>;
  get(pipelineId: string, signal?: AbortSignal): Promise<PipelineRecord>;
  historyEvents(pipelineId: string, position: HistoryPosition, signal?: AbortSignal): Promise<HistoryPage>;
}

/** An event of a pipeline's stream; only transitions and the opening status carry an id, the ledger's sequence number. */
export type PipelineEvent =
  | { type: 'status'; id: number; data: ReturnType<typeof healthBody> }
  | { type: 'transition'; id: number; data: ReturnType<typeof transitionEventBody> }
  | { type: 'health'; data: ReturnType<typeof healthEventBody> }
  | { type: 'drain'; data: ReturnType<typeof drainEventBody> }
  | { type: 'deleted'; data: { pipeline_id: string; at: string } };

/** One party interested in a pipeline: an event stream, a request waiting for it to settle, or the metrics following it. */
export interface Subscriber {
  /** Whether it wants health and drain events, which cost a describe per interval while anyone wants them. */
  wantsHealth: boolean;
  /** Where its stream starts: after this sequence number (Last-Event-ID), or, when absent, with a status event. */
  after?: number;
  send?(event: PipelineEvent): void;
  /** No more events will come: the pipeline is gone (`gone`), or the API is shutting down. */
  ended?(gone: boolean): void;
  /** The watcher has a newer view. */
  viewChanged?(watcher: PipelineWatcher): void;
}

/**
 * Which ledger records this process has not yet reported to metrics: those after a sequence number it saw before,
 * or, for a pipeline it has not watched yet, those recorded since it sent the command it follows (epoch ms).
 */
export type Baseline = { seq: number } | { since: number } | undefined;

/** What the watcher reports of what it learns, for metrics. */
export interface WatcherObserver {
  /** A view with records after `afterSeq` that no earlier view of this process had. */
  recordsAfter(view: PipelineView, afterSeq: number): void;
  ended(view: PipelineView | undefined, at: Date): void;
}

/** How often health is read while someone wants it and the pipeline has an activity that reports it. */
export const HEALTH_INTERVAL_MS = 1000;
const RETRY_INTERVAL_MS = 1000;
/** A query that keeps failing (no worker answers) is tried again less and less often, down to this. */
const MAX_QUERY_RETRY_MS = 30_000;
/** Statuses with an activity in flight whose heartbeats carry component states or drain progress. */
const REPORTING_STATUSES = new Set<PipelineStatus>(['Created', 'Resuming', 'Running', 'Stopping']);

/**
 * Watches one pipeline for all its subscribers at once: one long poll of the workflow's history, which wakes on each
 * transition's search attribute upsert, then one `status` query for the new ledger records; and, while a subscriber
 * wants health, one describe per interval. Its cost does not grow with the number of subscribers.
 */
export class PipelineWatcher {
  private readonly subscribers = new Set<Subscriber>();
  private readonly stopped = new AbortController();
  private view?: PipelineView;
  /** When the query that gave the view was sent. */
  private viewSentAt = 0;
  private lastSeq = 0;
  private observation?: ActivityObservation;
  private healthKey?: string;
  private drainKey?: string;
  /** The drain as last observed, sent to each new stream that wants it: a drain event goes out only when it changes. */
  private lastDrain?: PipelineEvent;
  private healthRunning = false;
  private endedAt?: Date;
  private refreshing?: Promise<void>;
  private refreshAgain = false;

  constructor(
    readonly pipelineId: string,
    private readonly source: WatchSource,
    private readonly baseline: Baseline,
    private readonly observer: WatcherObserver,
    private readonly onIdle: () => void,
  ) {
    void this.followHistory();
  }

  /** What this process has seen of the ledger: the newest record, or, before a first view, what it had seen before. */
  get seenUpTo(): number | undefined {
    if (this.view) return this.lastSeq;
    return this.baseline && 'seq' in this.baseline ? this.baseline.seq : undefined;
  }

  /** The status of the newest view. */
  get status(): PipelineStatus | undefined {
    return this.view?.overall_status;
  }

  get ended(): boolean {
    return this.endedAt !== undefined;
  }

  /** Adds a subscriber and sends it its opening events once the first view is in; returns how to leave. */
  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    if (this.view) this.open(subscriber);
    // A stream opens with the view; others need none until the history has news.
    else if (subscriber.send) void this.refresh(false);
    if (this.endedAt) subscriber.ended?.(true);
    if (subscriber.wantsHealth) void this.followHealth();
    return () => this.leave(subscriber);
  }

  /** Whether the pipeline is settled (or gone) by a view asked for at or after `since` (epoch ms). */
  settledSince(since: number): boolean {
    return this.endedAt !== undefined || (this.view !== undefined && this.viewSentAt >= since && isSettled(this.view.overall_status));
  }

  /** Ends every subscription without a final event, as when the API shuts down. */
  stop(): void {
    this.stopped.abort();
    for (const subscriber of this.subscribers) subscriber.ended?.(false);
    this.subscribers.clear();
  }

  private leave(subscriber: Subscriber): void {
    if (!this.subscribers.delete(subscriber) || this.subscribers.size > 0) return;
    this.stopped.abort();
    this.onIdle();
  }

  private open(subscriber: Subscriber): void {
    const view = this.view!;
    if (subscriber.after === undefined) {
      const record: PipelineRecord = { ...view, observation: this.observation };
      subscriber.send?.({ type: 'status', id: this.lastSeq, data: healthBody(record) });
      if (subscriber.wantsHealth && this.lastDrain && view.overall_status === 'Stopping') subscriber.send?.(this.lastDrain);
    } else {
      for (const record of view.transitions) {
        if (record.seq > subscriber.after)
          subscriber.send?.({ type: 'transition', id: record.seq, data: transitionEventBody(this.pipelineId, record) });
      }
    }
    subscriber.viewChanged?.(this);
  }

  private broadcast(event: PipelineEvent, healthOnly = false): void {
    for (const subscriber of this.subscribers) if (!healthOnly || subscriber.wantsHealth) subscriber.send?.(event);
  }

  /** Reads the run's history as it grows, and the ledger whenever the history says it may have changed. */
  private async followHistory(): Promise<void> {
    let position: HistoryPosition = {};
    let signalPending = false;
    while (!this.stopped.signal.aborted) {
      let page: HistoryPage;
      try {
        page = await this.source.historyEvents(this.pipelineId, position, this.stopped.signal);
      } catch (error) {
        if (this.stopped.signal.aborted) return;
        if (error instanceof ApiError && error.code === 'NOT_FOUND') return this.end(new Date());
        await this.pause(RETRY_INTERVAL_MS);
        continue;
      }
      const news = historyNews(page.events, signalPending);
      signalPending = news.signalPending;
      if (news.ledgerMayHaveChanged) await this.refresh(true);
      if (news.endedAt) return this.end(news.endedAt);
      if (news.continuedAsNew) position = { runId: news.continuedAsNew };
      else position = page.nextPageToken ? { ...position, pageToken: page.nextPageToken } : {};
    }
  }

  /**
   * Queries the ledger until it answers (it needs a worker), then tells subscribers of the records they have not had.
   * A call while one is under way shares it; when it must see records newer than that query may hold (`newer`, on
   * news from the history), one more query follows.
   */
  private refresh(newer: boolean): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain ||= newer;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        await this.queryUntilAnswered();
      } while (this.refreshAgain && !this.stopped.signal.aborted);
      this.refreshing = undefined;
    })();
    return this.refreshing;
  }

  private async queryUntilAnswered(): Promise<void> {
    let retryMs = RETRY_INTERVAL_MS;
    while (!this.stopped.signal.aborted) {
      const sentAt = Date.now();
      try {
        this.apply(await this.source.queryView(this.pipelineId, this.stopped.signal), sentAt);
        return;
      } catch {
        await this.pause(retryMs);
        retryMs = Math.min(retryMs * 2, MAX_QUERY_RETRY_MS);
      }
    }
  }

  private apply(view: PipelineView, sentAt: number): void {
    const first = this.view === undefined;
    const previousSeq = first ? baselineSeq(this.baseline, view) : this.lastSeq;
    this.view = view;
    this.viewSentAt = sentAt;
    const newest = view.transitions[view.transitions.length - 1]?.seq ?? 0;
    if (previousSeq !== undefined && newest > previousSeq) this.observer.recordsAfter(view, previousSeq);
    if (!first) {
      for (const record of view.transitions) {
        if (record.seq > this.lastSeq)
          this.broadcast({ type: 'transition', id: record.seq, data: transitionEventBody(this.pipelineId, record) });
      }
    }
    this.lastSeq = Math.max(this.lastSeq, newest);
    if (first) for (const subscriber of this.subscribers) this.open(subscriber);
    else for (const subscriber of this.subscribers) subscriber.viewChanged?.(this);
  }

  private end(at: Date): void {
    if (this.endedAt) return;
    this.endedAt = at;
    this.observer.ended(this.view, at);
    this.broadcast({ type: 'deleted', data: { pipeline_id: this.pipelineId, at: at.toISOString() } });
    for (const subscriber of this.subscribers) subscriber.ended?.(true);
  }

  /** While a subscriber wants health: a describe per interval, telling of changed component states and drain progress. */
  private async followHealth(): Promise<void> {
    if (this.healthRunning) return;
    this.healthRunning = true;
    try {
      while (!this.stopped.signal.aborted && !this.endedAt && [...this.subscribers].some((subscriber) => subscriber.wantsHealth)) {
        if (this.view && REPORTING_STATUSES.has(this.view.overall_status)) {
          await this.source.get(this.pipelineId, this.stopped.signal).then(
            (record) => this.observeHealth(record),
            () => undefined,
          );
        }
        await this.pause(HEALTH_INTERVAL_MS);
      }
    } finally {
      this.healthRunning = false;
    }
  }

  private observeHealth(record: PipelineRecord): void {
    // Health never runs ahead of the transitions: a status the view has not reached yet is fetched with its records.
    if (record.overall_status !== this.view?.overall_status) {
      void this.refresh(true);
      return;
    }
    this.observation = record.observation;
    const health = healthEventBody(record);
    const healthKey = JSON.stringify(health.components);
    if (healthKey !== this.healthKey) this.broadcast({ type: 'health', data: health }, true);
    this.healthKey = healthKey;
    const drain = drainProgressOf(record.observation?.details);
    const drainKey = drain && JSON.stringify(drain);
    this.lastDrain = drain && { type: 'drain', data: drainEventBody(this.pipelineId, drain, health.observed_at) };
    if (this.lastDrain && drainKey !== this.drainKey) this.broadcast(this.lastDrain, true);
    this.drainKey = drainKey;
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stopped.signal }).catch(() => undefined);
  }
}

/** The sequence number after which a first view's records are news to metrics; undefined when none are. */
function baselineSeq(baseline: Baseline, view: PipelineView): number | undefined {
  if (baseline === undefined) return undefined;
  if ('seq' in baseline) return baseline.seq;
  const before = view.transitions.filter((record) => Date.parse(record.at) < baseline.since);
  return before[before.length - 1]?.seq ?? (view.transitions[0] ? view.transitions[0].seq - 1 : 0);
}
