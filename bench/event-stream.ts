import { EventStreamClient } from '../harness/event-stream-client';
import { sampleSum, scrape, type Sample } from '../harness/metrics-scrape';
import { startApiProcess, type ApiProcess } from './api-process';
import { IDLE_COMPONENT, type BenchParameters } from './parameters';
import { progress } from './progress';
import { percentile } from './stats';
import { pause, withTimeout } from './waiting';

/** What watching one pipeline costs the API, with some number of event streams open on it. */
export interface WatchCost {
  streams: number;
  /** While the pipeline rests (Running, nothing happens). */
  idle: WindowCost;
  /** While it is stopped and resumed over and over. */
  busy: WindowCost;
}

export interface WindowCost {
  seconds: number;
  /** Temporal calls per second the watcher makes: history long polls, status queries, health describes. */
  watchCallsPerSecond: number;
  /** CPU seconds of the API process per wall-clock second. */
  apiCpu: number;
}

export interface EventStreamResult {
  /** From the transition, by the ledger's time, until the event reached a client: over every client and transition. */
  latency: { samples: number; p50Ms: number; p99Ms: number; maxMs: number };
  costs: WatchCost[];
}

const WATCH_OPERATIONS = ['history', 'query', 'describe'];
const STEP_TIMEOUT_MS = 60_000;

/** Event latency and the cost of watching, against an API in a process of its own; a worker must be running. */
export async function measureEventStreams(pipelineId: string, parameters: BenchParameters): Promise<EventStreamResult> {
  const api = await startApiProcess({ WEIR_STOP_GRACE_SECONDS: String(parameters.stopGraceSeconds), WEIR_DOCKER_PULL: 'false' });
  try {
    await command(api, 'POST', '/api/v1/pipeline', { pipeline_id: pipelineId, name: `Events ${pipelineId}`, components: [IDLE_COMPONENT] });
    await waitUntilRunning(api, pipelineId);
    const latencies: number[] = [];
    const costs: WatchCost[] = [];
    for (const streams of parameters.eventStreamCounts) {
      progress(`event streams: ${streams} open on one pipeline`);
      costs.push(await watchCost(api, pipelineId, streams, parameters, latencies));
    }
    return {
      latency: {
        samples: latencies.length,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        maxMs: Math.max(...latencies),
      },
      costs,
    };
  } finally {
    await command(api, 'POST', `/api/v1/pipeline/${pipelineId}/terminate?wait=60`).catch(() => undefined);
    await command(api, 'DELETE', `/api/v1/pipeline/${pipelineId}?wait=60`).catch(() => undefined);
    await api.stop();
  }
}

async function watchCost(
  api: ApiProcess,
  pipelineId: string,
  count: number,
  parameters: BenchParameters,
  latencies: number[],
): Promise<WatchCost> {
  const streams = await Promise.all(
    Array.from({ length: count }, () => EventStreamClient.open(api.url, `/api/v1/pipeline/${pipelineId}/events`)),
  );
  try {
    await Promise.all(streams.map((stream) => stream.next(1, 'status', STEP_TIMEOUT_MS)));
    const idle = await costOver(api, () => pause(parameters.eventIdleMs));
    const busy = await costOver(api, async () => {
      for (let cycle = 0; cycle < parameters.eventCycles; cycle++) {
        await command(api, 'POST', `/api/v1/pipeline/${pipelineId}/stop?wait=60`);
        await command(api, 'POST', `/api/v1/pipeline/${pipelineId}/resume?wait=60`);
      }
      await Promise.all(streams.map((stream) => stream.next(4 * parameters.eventCycles, 'transition', STEP_TIMEOUT_MS)));
    });
    for (const stream of streams) {
      for (const event of stream.transitions()) latencies.push(event.receivedAt - Date.parse(event.data.at));
    }
    return { streams: count, idle, busy };
  } finally {
    for (const stream of streams) stream.close();
  }
}

/** The watch calls and API CPU per second while `work` runs, read from the API's own metrics. */
async function costOver(api: ApiProcess, work: () => Promise<void>): Promise<WindowCost> {
  const before = await scrape(api.url);
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const after = await scrape(api.url);
  const delta = (read: (samples: Sample[]) => number) => read(after) - read(before);
  const watchCalls = delta((samples) =>
    WATCH_OPERATIONS.reduce((sum, operation) => sum + sampleSum(samples, 'weir_api_temporal_calls_total', { operation }), 0),
  );
  return {
    seconds,
    watchCallsPerSecond: watchCalls / seconds,
    apiCpu: delta((samples) => sampleSum(samples, 'process_cpu_seconds_total')) / seconds,
  };
}

async function command(api: ApiProcess, method: string, path: string, body?: unknown): Promise<void> {
  const response = await withTimeout(
    fetch(`${api.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    STEP_TIMEOUT_MS,
    `${method} ${path}`,
  );
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
}

async function waitUntilRunning(api: ApiProcess, pipelineId: string): Promise<void> {
  const deadline = performance.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const health = (await (await fetch(`${api.url}/api/v1/pipeline/${pipelineId}/health`)).json()) as { overall_status: string };
    if (health.overall_status === 'Running') return;
    if (performance.now() > deadline) throw new Error(`${pipelineId} is ${health.overall_status}, not Running`);
    await pause(100);
  }
}
