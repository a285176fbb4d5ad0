import type Dockerode from 'dockerode';
import { PIPELINE_LABEL, managedFilter } from './resource-names';

/** Wakes a watcher when a container of its pipeline starts, dies, runs out of memory, changes health or is removed. */
export interface Wakeup {
  /** Resolves at the first event since the previous wait (at once if one came meanwhile), or when the signal aborts. */
  wait(signal: AbortSignal): Promise<void>;
  close(): void;
}

const WATCHED_ACTIONS = ['start', 'die', 'oom', 'health_status', 'destroy'];

/**
 * One Docker event stream per worker, shared by every watched pipeline, so a thousand idle
 * pipelines cost one connection and no polling.
 */
export class ContainerEvents {
  private stream?: Promise<NodeJS.ReadableStream>;
  private readonly wakeups = new Map<string, Set<() => void>>();
  /** Watchers that may miss events while the stream is not open: they look again once it is. */
  private readonly lookWhenOpen = new Set<() => void>();
  private open = false;

  constructor(private readonly docker: Dockerode) {}

  /** Whether the stream is open, so that every change since it opened has been or will be reported. */
  get isOpen(): boolean {
    return this.open;
  }

  watch(pipelineId: string): Wakeup {
    let pending = false;
    let wake: (() => void) | undefined;
    const notify = () => {
      pending = true;
      wake?.();
    };
    const set = this.wakeups.get(pipelineId) ?? new Set();
    set.add(notify);
    this.wakeups.set(pipelineId, set);
    if (!this.open) this.lookWhenOpen.add(notify);
    this.ensureStream();
    return {
      wait: (signal) =>
        new Promise<void>((resolve) => {
          const done = () => {
            pending = false;
            wake = undefined;
            signal.removeEventListener('abort', done);
            resolve();
          };
          if (pending || signal.aborted) return done();
          wake = done;
          signal.addEventListener('abort', done, { once: true });
        }),
      close: () => {
        this.lookWhenOpen.delete(notify);
        set.delete(notify);
        if (set.size === 0) this.wakeups.delete(pipelineId);
      },
    };
  }

  private ensureStream(): void {
    if (this.stream) return;
    const opened = this.docker.getEvents({ filters: { type: ['container'], label: [managedFilter()] } });
    this.stream = opened;
    opened.then(
      (stream) => {
        // The shared stream must not keep a process alive once everything else is done.
        (stream as { socket?: { unref(): void } }).socket?.unref();
        this.opened();
        let buffered = '';
        stream.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) if (line.trim()) this.dispatch(JSON.parse(line));
        });
        const reopen = () => this.lost(opened);
        stream.once('end', reopen);
        stream.once('error', reopen);
      },
      () => this.lost(opened),
    );
  }

  private dispatch(event: { Action?: string; Actor?: { Attributes?: Record<string, string> } }): void {
    const action = event.Action ?? '';
    if (!WATCHED_ACTIONS.some((watched) => action.startsWith(watched))) return;
    const pipelineId = event.Actor?.Attributes?.[PIPELINE_LABEL];
    if (pipelineId) for (const notify of this.wakeups.get(pipelineId) ?? []) notify();
  }

  private opened(): void {
    this.open = true;
    for (const notify of this.lookWhenOpen) notify();
    this.lookWhenOpen.clear();
  }

  /** Events may have been missed and will be until the stream is back: every watcher looks now, and again once it is open. */
  private lost(stream: Promise<NodeJS.ReadableStream>): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    this.open = false;
    for (const set of this.wakeups.values()) {
      for (const notify of set) {
        notify();
        this.lookWhenOpen.add(notify);
      }
    }
    if (this.wakeups.size > 0) setTimeout(() => this.ensureStream(), 1000).unref();
  }
}
