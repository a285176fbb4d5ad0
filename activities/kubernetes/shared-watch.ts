import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PipelineChanges } from './pipeline-changes';
import { PIPELINE_LABEL } from './resource-names';

export interface ListResult<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

export interface SharedWatchOptions<T> {
  /** The collection's API path, such as /api/v1/namespaces/weir/pods. */
  path: string;
  labelSelector: string;
  list(): Promise<ListResult<T>>;
  /** The API server ends each watch request after about this long, and the watch reconnects where it left off. */
  watchTimeoutSeconds?: number;
  /** Wait before trying again after a failed list or watch. */
  retryDelayMs?: number;
  /** Told of every event, by the pipeline it touches. */
  changes: PipelineChanges;
}

/** How often the shared watch has called the API server; the benchmark reads it. */
export interface WatchCounts {
  lists: number;
  watches: number;
  /** Watches the API server ended with 410 Gone: its history no longer reached back, so the watch listed again. */
  expired: number;
  failures: number;
}

const HTTP_GONE = 410;

/**
 * One list-and-watch of a collection for the whole worker, kept as a cache indexed by pipeline, whatever the number of
 * pipelines. After a 410 Gone it lists again; after a lost connection it resumes from the last resource version.
 */
export class SharedWatch<T extends KubernetesObject> {
  private readonly byPipeline = new Map<string, Map<string, T>>();
  private resourceVersion?: string;
  private synced?: Promise<void>;
  private current?: AbortController;
  private closed = false;
  private lastFailure?: unknown;
  readonly counts: WatchCounts = { lists: 0, watches: 0, expired: 0, failures: 0 };

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly options: SharedWatchOptions<T>,
  ) {}

  /** Starts the watch on first use; resolves once the first list is in the cache, rejects if it is not within `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    if (!this.synced) {
      let markSynced: () => void = () => {};
      this.synced = new Promise((resolve) => (markSynced = resolve));
      void this.run(markSynced);
    }
    const timeout = new AbortController();
    const timedOut = sleep(timeoutMs, 'timeout', { signal: timeout.signal, ref: false }).catch(() => 'settled');
    try {
      if ((await Promise.race([this.synced.then(() => 'synced'), timedOut])) === 'timeout') {
        const cause = this.lastFailure instanceof Error ? this.lastFailure.message : String(this.lastFailure ?? 'no answer');
        throw new Error(`could not list ${this.options.path} within ${timeoutMs} ms: ${cause}`);
      }
    } finally {
      timeout.abort();
    }
  }

  objectsOf(pipelineId: string): T[] {
    return [...(this.byPipeline.get(pipelineId)?.values() ?? [])];
  }

  close(): void {
    this.closed = true;
    this.current?.abort();
  }

  private async run(markSynced: () => void): Promise<void> {
    while (!this.closed) {
      try {
        if (this.resourceVersion === undefined) {
          await this.relist();
          markSynced();
        }
        if (await this.watchOnce()) {
          this.counts.expired += 1;
          this.resourceVersion = undefined;
        }
      } catch (error) {
        // The API server is unreachable or refused: try again, resuming where the cache left off.
        this.lastFailure = error;
        this.counts.failures += 1;
        if (!this.closed) await sleep(this.options.retryDelayMs ?? 1000);
      }
    }
  }

  private async relist(): Promise<void> {
    this.counts.lists += 1;
    const listed = await this.options.list();
    const touched = new Set(this.byPipeline.keys());
    this.byPipeline.clear();
    for (const item of listed.items) {
      this.store(item);
      touched.add(pipelineOf(item) ?? '');
    }
    this.resourceVersion = listed.metadata?.resourceVersion ?? '';
    for (const pipelineId of touched) this.changed(pipelineId);
  }

  /** Follows one watch request to its end; resolves true when it ended in 410 Gone. */
  private async watchOnce(): Promise<boolean> {
    this.counts.watches += 1;
    this.current = undefined;
    let expired = false;
    const ended = new Promise<void>((resolve, reject) => {
      const onEvent = (type: string, object: T & { code?: number }) => {
        if (type === 'ERROR') {
          if (object.code === HTTP_GONE) expired = true;
          this.current?.abort();
          return;
        }
        const version = object.metadata?.resourceVersion;
        if (version) this.resourceVersion = version;
        if (type === 'ADDED' || type === 'MODIFIED') this.store(object);
        else if (type === 'DELETED') this.forget(object);
        else return;
        this.changed(pipelineOf(object) ?? '');
      };
      const onDone = (error: unknown) => {
        if ((error as { statusCode?: number } | null)?.statusCode === HTTP_GONE) expired = true;
        else if (error && !this.current?.signal.aborted) return reject(error);
        resolve();
      };
      new Watch(this.kubeConfig)
        .watch(
          this.options.path,
          {
            labelSelector: this.options.labelSelector,
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: this.options.watchTimeoutSeconds ?? 300,
          },
          onEvent,
          onDone,
        )
        .then((controller) => {
          this.current = controller;
          if (this.closed) controller.abort();
        }, reject);
    });
    await ended;
    return expired;
  }

  private store(object: T): void {
    const pipelineId = pipelineOf(object);
    const name = object.metadata?.name;
    if (pipelineId === undefined || name === undefined) return;
    const objects = this.byPipeline.get(pipelineId) ?? new Map<string, T>();
    objects.set(name, object);
    this.byPipeline.set(pipelineId, objects);
  }

  private forget(object: T): void {
    const pipelineId = pipelineOf(object);
    const objects = pipelineId === undefined ? undefined : this.byPipeline.get(pipelineId);
    if (!objects || !object.metadata?.name) return;
    objects.delete(object.metadata.name);
    if (objects.size === 0) this.byPipeline.delete(pipelineId!);
  }

  private changed(pipelineId: string): void {
    this.options.changes.changed(pipelineId);
  }
}

function pipelineOf(object: KubernetesObject): string | undefined {
  return object.metadata?.labels?.[PIPELINE_LABEL];
}
