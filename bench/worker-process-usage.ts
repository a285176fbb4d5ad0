import os from 'node:os';
import type { ChildProcess } from 'node:child_process';
import { findFreePort } from '../scripts/ports';
import { sampleSum, scrape, type Sample } from '../harness/metrics-scrape';
import { startWorkerProcess } from '../harness/worker-process';
import { cpuShare, processUsage } from './process-usage';
import { progress } from './progress';
import { pause } from './waiting';

/** A worker as `npm start` runs it, in a process of its own, with its metrics served on a free loopback port. */
export interface MeasuredWorker {
  child: ChildProcess;
  pid: number;
  metricsUrl: string;
  /** The identity Temporal records for the activities it runs: the SDK's default, pid@host. */
  identity: string;
  /** SIGTERM, and waits until it has exited. */
  stop(): Promise<void>;
}

export async function startMeasuredWorker(env: Record<string, string>): Promise<MeasuredWorker> {
  const port = await findFreePort();
  const child = await startWorkerProcess({ ...env, WEIR_WORKER_METRICS_PORT: String(port) });
  const pid = child.pid!;
  progress(`worker process ${pid} polling, metrics on 127.0.0.1:${port}`);
  return {
    child,
    pid,
    metricsUrl: `http://127.0.0.1:${port}`,
    identity: `${pid}@${os.hostname()}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** What a worker and the Temporal server cost over an idle window. */
export interface IdleWindow {
  seconds: number;
  /** Shares of one core. */
  workerCpu: number;
  temporalCpu: number;
  /** At the end of the window. */
  workerRssBytes: number;
  /** The worker's calls to Temporal, from its SDK's own counters (temporal_request_total and temporal_long_request_total). */
  grpcCallsPerMinute: number;
  /** The same, by operation, most frequent first. */
  callsPerMinuteByOperation: Array<[string, number]>;
  /** The 1-minute load average at the start and at the end of the window. */
  loadAverage: [number, number];
}

const CALL_COUNTERS = ['temporal_request_total', 'temporal_long_request_total'];

/** Watches `worker` and the Temporal server (`temporalPid`) for `ms` while nothing else is asked of them. */
export async function idleWindow(worker: MeasuredWorker, temporalPid: number, ms: number): Promise<IdleWindow> {
  const look = async () => ({
    at: performance.now(),
    worker: await processUsage(worker.pid),
    temporal: await processUsage(temporalPid),
    calls: await scrape(worker.metricsUrl),
  });
  const loadBefore = os.loadavg()[0];
  const before = await look();
  await pause(ms);
  const after = await look();
  const seconds = (after.at - before.at) / 1000;
  const perMinute = (count: number) => (count * 60) / seconds;
  const byOperation = new Map<string, number>();
  for (const sample of after.calls.filter(({ name }) => CALL_COUNTERS.includes(name))) {
    const operation = sample.labels.operation ?? 'unknown';
    const earlier = matching(before.calls, sample)?.value ?? 0;
    byOperation.set(operation, (byOperation.get(operation) ?? 0) + sample.value - earlier);
  }
  const total = CALL_COUNTERS.reduce((sum, name) => sum + sampleSum(after.calls, name) - sampleSum(before.calls, name), 0);
  return {
    seconds,
    workerCpu: cpuShare(before.worker, after.worker, seconds),
    temporalCpu: cpuShare(before.temporal, after.temporal, seconds),
    workerRssBytes: after.worker.rssBytes,
    grpcCallsPerMinute: perMinute(total),
    callsPerMinuteByOperation: [...byOperation]
      .filter(([, count]) => count > 0)
      .map(([operation, count]): [string, number] => [operation, perMinute(count)])
      .sort((a, b) => b[1] - a[1]),
    loadAverage: [loadBefore, os.loadavg()[0]],
  };
}

function matching(samples: Sample[], sample: Sample): Sample | undefined {
  const key = JSON.stringify(sample.labels);
  return samples.find(({ name, labels }) => name === sample.name && JSON.stringify(labels) === key);
}
