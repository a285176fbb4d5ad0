import { Client, Connection } from '@temporalio/client';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { WeirConfig } from '../config';
import { SecretDirectory } from '../secret-directory';
import { createApp } from './create-app';
import { logSourceFromConfig } from './log-source-from-config';
import { isNatsReachable } from './nats-probe';
import { ApiMetrics } from './metrics';
import { PipelineGateway } from './pipeline-gateway';
import { PipelineWatchers } from './pipeline-watchers';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** Starts the HTTP API. Temporal is connected lazily, so the API answers /healthz and /readyz before Temporal is up. */
export async function startApi(config: WeirConfig, logger: Logger): Promise<RunningApi> {
  const connection = Connection.lazy({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const metrics = new ApiMetrics();
  const gateway = new PipelineGateway(client, {
    onCall: (operation) => metrics.temporalCall(operation),
    settings: config.pipelineSettings,
    updateTimeoutMs: config.api.updateTimeoutMs,
    deleteTimeoutMs: config.api.deleteTimeoutMs,
  });
  const watchers = new PipelineWatchers(gateway, metrics);
  metrics.readCensus(gateway, () => watchers.size);
  const app = createApp({
    gateway,
    logs: { source: logSourceFromConfig(config), secrets: new SecretDirectory(config.worker.secretsDir) },
    watchers,
    metrics,
    logger,
    token: config.api.token,
    allowedOrigins: config.api.allowedOrigins,
    bindHost: config.api.host,
    allowedHosts: config.api.allowedHosts,
    natsReachable: () => isNatsReachable(config.nats.url),
    temporalUi: { url: config.api.temporalUiUrl, namespace: config.temporal.namespace },
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.api.port, config.api.host, () => resolve(listening));
    listening.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.api.port;
  return {
    url: `http://${config.api.host.includes(':') ? `[${config.api.host}]` : config.api.host}:${port}`,
    close: async () => {
      // Event streams never end by themselves: ending the watchers ends them, so the server can close.
      watchers.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await gateway.settled();
      await connection.close();
    },
  };
}
