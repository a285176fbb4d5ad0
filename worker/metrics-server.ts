import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { bearerMatcher } from '../api/bearer-auth';
import { acceptedHostNames, hostNameOf } from '../api/request-guards';

export interface WorkerMetricsOptions {
  host: string;
  port: number;
  /** When set, a scrape needs it as a bearer token, as the API's routes do. */
  token?: string;
  /** Where the Temporal SDK's own Prometheus exporter listens, on loopback. */
  sdkExporterUrl: string;
  registry: Registry;
}

export interface WorkerMetricsServer {
  url: string;
  close(): Promise<void>;
}

const SDK_SCRAPE_TIMEOUT_MS = 2000;

/**
 * Serves GET /metrics: the Temporal SDK's metrics, read from its exporter, followed by Weir's. It follows the API's
 * rules: the bearer token when one is set, and, bound to loopback, only loopback Host names (DNS rebinding).
 */
export async function startWorkerMetricsServer({
  host,
  port,
  token,
  sdkExporterUrl,
  registry,
}: WorkerMetricsOptions): Promise<WorkerMetricsServer> {
  const authorized = token ? bearerMatcher(token) : () => true;
  const hosts = acceptedHostNames({ bindHost: host, allowedHosts: [] });
  const server = http.createServer((request, response) => {
    const answer = (status: number, text: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      response.end(text);
    };
    const name = hostNameOf(request.headers.host ?? '');
    if (hosts && (name === undefined || !hosts.has(name))) return answer(403, 'this endpoint does not answer to that host\n');
    if (!authorized(request.headers.authorization))
      return answer(401, 'a valid bearer token is required\n', { 'www-authenticate': 'Bearer' });
    if (request.url !== '/metrics') return answer(404, 'metrics are at /metrics\n');
    if (request.method !== 'GET') return answer(405, 'only GET\n', { allow: 'GET' });
    void Promise.all([sdkMetrics(sdkExporterUrl), registry.metrics()]).then(
      ([sdk, weir]) => answer(200, `${sdk}${weir}`, { 'content-type': registry.contentType }),
      () => answer(500, 'metrics could not be collected\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The SDK exporter's text; a comment instead when it does not answer, so Weir's metrics are still served. */
async function sdkMetrics(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(SDK_SCRAPE_TIMEOUT_MS) });
    if (!response.ok) return `# the Temporal SDK exporter answered ${response.status}\n`;
    const text = await response.text();
    return text.endsWith('\n') || text === '' ? text : `${text}\n`;
  } catch {
    return '# the Temporal SDK exporter did not answer\n';
  }
}
