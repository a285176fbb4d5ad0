import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * A plain-HTTP front for a real API server that forwards every request, and can fail watches the way the API server
 * does: end the connection, or answer a watch with 410 Gone as when its history no longer reaches the resource version.
 */
export class KubernetesFaultProxy {
  private readonly watches = new Set<http.ServerResponse>();
  private expireNextWatch = false;
  private constructor(
    private readonly server: http.Server,
    readonly kubeConfig: KubeConfig,
  ) {}

  static async start(upstream: KubeConfig): Promise<KubernetesFaultProxy> {
    const cluster = upstream.getCurrentCluster()!;
    const user = upstream.getCurrentUser()!;
    const target = new URL(cluster.server);
    const ca = cluster.caFile ? readFileSync(cluster.caFile) : Buffer.from(cluster.caData!, 'base64');
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      // Plain HTTP on loopback; client-node asks for skipTLSVerify to allow it.
      clusters: [{ name: 'proxy', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'proxy' }],
      contexts: [{ name: 'proxy', cluster: 'proxy', user: 'proxy' }],
      currentContext: 'proxy',
    });
    const proxy = new KubernetesFaultProxy(server, kubeConfig);
    server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) =>
      proxy.forward(request, response, target, ca, user.token!),
    );
    return proxy;
  }

  /** Ends every watch in flight, as a lost connection would. */
  dropWatches(): void {
    for (const response of this.watches) response.destroy();
    this.watches.clear();
  }

  /** The next watch request is answered with an ERROR event of status 410 Gone. */
  expireNext(): void {
    this.expireNextWatch = true;
  }

  async close(): Promise<void> {
    this.dropWatches();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(request: http.IncomingMessage, response: http.ServerResponse, target: URL, ca: Buffer, token: string): void {
    const isWatch = new URL(request.url ?? '/', 'http://proxy').searchParams.get('watch') === 'true';
    if (isWatch && this.expireNextWatch) {
      this.expireNextWatch = false;
      response.writeHead(200, { 'content-type': 'application/json' });
      const status = {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message: 'too old resource version',
        reason: 'Expired',
        code: 410,
      };
      response.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
      return;
    }
    if (isWatch) {
      this.watches.add(response);
      response.once('close', () => this.watches.delete(response));
    }
    const upstream = https.request(
      {
        host: target.hostname,
        port: target.port,
        path: request.url,
        method: request.method,
        ca,
        headers: { ...request.headers, host: target.host, authorization: `Bearer ${token}` },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    response.once('close', () => upstream.destroy());
    request.pipe(upstream);
  }
}
