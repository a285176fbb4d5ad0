import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { drainProgressOf } from '../pipeline/heartbeat-details';
import type { PipelineView } from '../pipeline/pipeline-view';
import { PIPELINE_STATUSES, type Command, type PipelineStatus } from '../pipeline/status-machine';
import type { PipelineRecord, TemporalOperation } from './pipeline-gateway';
import type { WatcherObserver } from './pipeline-watcher';
import { cachedFor } from './cached';
import { deletionStay, staysEndedBy, type TransientStay } from './transient-durations';

/** How a command ended, as metrics count it. */
export type CommandOutcome = 'accepted' | 'noop' | 'refused' | 'unavailable' | 'not_found' | 'failed';

/** What the gauges read from Temporal when scraped. */
export interface PipelineCensus {
  countByStatus(): Promise<Record<PipelineStatus, number>>;
  /** Pipelines in Stopping, each with the last heartbeat of its drain. */
  stopping(): Promise<PipelineRecord[]>;
}

/** Visibility and describe results are reused for this long, so scrapes cost Temporal little however often they come. */
export const CENSUS_CACHE_MS = 5000;

/** The API's metrics, in a registry of its own: pipelines by status, commands, transient stays, drains, Temporal calls. */
export class ApiMetrics implements WatcherObserver {
  readonly registry = new Registry();
  private readonly temporalCalls = new Counter({
    name: 'weir_api_temporal_calls_total',
    help: 'Temporal calls the API made, by operation',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  private readonly commands = new Counter({
    name: 'weir_commands_total',
    help: 'Commands the API answered, by command and outcome',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly commandSeconds = new Histogram({
    name: 'weir_command_duration_seconds',
    help: 'Time until the API answered a command, by command and outcome; a ?wait is not counted, a delete waits for the removal',
    labelNames: ['command', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
    registers: [this.registry],
  });
  private readonly transientSeconds = new Histogram({
    name: 'weir_transient_status_duration_seconds',
    help: 'Time pipelines spent in a transient status, by the workflow clock, by status and the status it moved on to',
    labelNames: ['status', 'next'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  private readonly streams = new Gauge({
    name: 'weir_api_event_streams',
    help: 'Open event streams (GET /pipeline/{id}/events)',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Adds the gauges read from Temporal at scrape time. */
  readCensus(census: PipelineCensus, watcherCount: () => number): void {
    const counts = cachedFor(CENSUS_CACHE_MS, () => census.countByStatus());
    const stopping = cachedFor(CENSUS_CACHE_MS, () => census.stopping());
    new Gauge({
      name: 'weir_pipelines',
      help: 'Pipelines by status, from Temporal visibility (which can lag a change by a moment), cached for 5 s',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const byStatus = await counts().catch(() => undefined);
        if (byStatus) for (const status of PIPELINE_STATUSES) this.set({ status }, byStatus[status]);
      },
    });
    new Gauge({
      name: 'weir_drain_unfinished_messages',
      help: 'Messages each consuming component of a Stopping pipeline still has to finish, from the drain heartbeat, cached for 5 s',
      labelNames: ['pipeline_id', 'component'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const record of (await stopping().catch(() => undefined)) ?? []) {
          const progress = drainProgressOf(record.observation?.details);
          for (const [component, unfinished] of Object.entries(progress?.unfinished ?? {})) {
            this.set({ pipeline_id: record.pipeline_id, component }, unfinished);
          }
        }
      },
    });
    new Gauge({
      name: 'weir_api_pipeline_watchers',
      help: 'Pipelines the API watches now, for event streams, waiting commands and these metrics',
      registers: [this.registry],
      collect() {
        this.set(watcherCount());
      },
    });
  }

  temporalCall(operation: TemporalOperation): void {
    this.temporalCalls.inc({ operation });
  }

  command(command: Command, outcome: CommandOutcome, seconds: number): void {
    this.commands.inc({ command, outcome });
    this.commandSeconds.observe({ command, outcome }, seconds);
  }

  streamOpened(): void {
    this.streams.inc();
  }

  streamClosed(): void {
    this.streams.dec();
  }

  recordsAfter(view: PipelineView, afterSeq: number): void {
    for (const stay of staysEndedBy(view, afterSeq)) this.stay(stay);
  }

  ended(view: PipelineView | undefined, at: Date): void {
    const stay = view && deletionStay(view, at);
    if (stay) this.stay(stay);
  }

  private stay({ status, next, seconds }: TransientStay): void {
    this.transientSeconds.observe({ status, next }, seconds);
  }

  /** The text a scrape answers, in the Prometheus exposition format. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
