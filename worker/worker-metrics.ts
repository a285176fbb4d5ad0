import { Runtime } from '@temporalio/worker';
import net from 'node:net';
import type { WeirConfig } from '../config';
import { ActivityMetrics } from './activity-metrics';
import { startWorkerMetricsServer, type WorkerMetricsServer } from './metrics-server';

export interface WorkerMetrics {
  activities: ActivityMetrics;
  server: WorkerMetricsServer;
}

/**
 * Installs the Temporal runtime with its Prometheus exporter on a free loopback port, and serves those metrics with
 * Weir's own at the configured address. Must run before any Temporal connection is made; undefined when port is 0.
 */
export async function startWorkerMetrics(config: WeirConfig): Promise<WorkerMetrics | undefined> {
  const { host, port } = config.worker.metrics;
  if (port === 0) return undefined;
  const sdkPort = await freeLoopbackPort();
  Runtime.install({
    telemetryOptions: {
      metrics: { prometheus: { bindAddress: `127.0.0.1:${sdkPort}`, countersTotalSuffix: true, useSecondsForDurations: true } },
    },
  });
  const activities = new ActivityMetrics();
  const server = await startWorkerMetricsServer({
    host,
    port,
    token: config.api.token,
    sdkExporterUrl: `http://127.0.0.1:${sdkPort}/metrics`,
    registry: activities.registry,
  });
  return { activities, server };
}

/** A loopback port that was free a moment ago, for the SDK's exporter, which only the worker itself reads. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
