import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import Docker from 'dockerode';
import pino from 'pino';
import type { ActivityDependencies } from '../../activities/create-activities';
import { DockerOrchestrator } from '../../activities/docker-orchestrator';
import { JetStreamDataPlane } from '../../activities/nats/jetstream-data-plane';
import { NatsConnectionProvider } from '../../activities/nats/nats-connection';
import { SecretDirectory } from '../../pipeline/secret-directory';
import { startApi, type RunningApi } from '../../api/start-api';
import { loadConfig } from '../../config';
import { createPipelineWorker } from '../../worker/create-worker';
import { eventually } from './eventually';
import { installQuietRuntime, workflowBundle } from './workflow-harness';

export interface SystemOptions {
  /** Extra configuration variables, on top of the test defaults. */
  env?: Record<string, string>;
}

/** Test defaults: quick retries and a short update deadline, so failure paths finish within a test. */
const TEST_ENV: Record<string, string> = {
  WEIR_API_PORT: '0',
  WEIR_STOP_GRACE_SECONDS: '5',
  WEIR_MAX_ATTEMPTS: '3',
  WEIR_RETRY_INITIAL_SECONDS: '1',
  WEIR_RETRY_MAX_SECONDS: '1',
  WEIR_READY_TIMEOUT_SECONDS: '60',
  WEIR_UPDATE_TIMEOUT_MS: '3000',
  WEIR_DOCKER_NETWORK_MODE: 'host',
  LOG_LEVEL: 'silent',
};

/**
 * Weir as users run it, in-process: the real API and a real worker on the Docker engine,
 * against the Temporal dev server the global setup started.
 */
export class WeirSystem {
  readonly docker = new Docker();
  private worker?: { worker: Worker; running: Promise<void> };

  private constructor(
    readonly api: RunningApi,
    readonly client: Client,
    private readonly connection: NativeConnection,
    readonly activities: ActivityDependencies,
    private readonly nats: NatsConnectionProvider,
  ) {}

  static async start(options: SystemOptions = {}): Promise<WeirSystem> {
    installQuietRuntime();
    const config = loadConfig({ ...process.env, ...TEST_ENV, ...options.env });
    // Errors only: a request that fails in a way the API does not map is a bug, and its cause should show.
    const api = await startApi(config, pino({ level: 'error' }));
    const connection = await NativeConnection.connect({ address: config.temporal.address });
    const client = new Client({ connection: await Connection.connect({ address: config.temporal.address }) });
    const nats = new NatsConnectionProvider(config.nats.url);
    const activities: ActivityDependencies = {
      orchestrator: new DockerOrchestrator(new Docker(), config.docker),
      dataPlane: new JetStreamDataPlane(nats),
      componentNatsUrl: config.nats.componentUrl,
      secrets: new SecretDirectory(config.worker.secretsDir),
    };
    const system = new WeirSystem(api, client, connection, activities, nats);
    await system.startWorker();
    return system;
  }

  get url(): string {
    return this.api.url;
  }

  async startWorker(): Promise<void> {
    if (this.worker) return;
    const worker = await createPipelineWorker({
      connection: this.connection,
      namespace: 'default',
      activities: this.activities,
      workflowBundle: await workflowBundle(),
    });
    this.worker = { worker, running: worker.run() };
  }

  async stopWorker(): Promise<void> {
    if (!this.worker) return;
    const { worker, running } = this.worker;
    this.worker = undefined;
    worker.shutdown();
    await running;
  }

  async close(): Promise<void> {
    await this.stopWorker();
    await this.api.close();
    await this.client.connection.close();
    await this.connection.close();
    await this.nats.close();
  }

  /** Sends a request to the API; JSON bodies are encoded, strings are sent as they are. */
  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  /** Polls health until the pipeline shows `status`, and returns that answer. */
  healthReaches(pipelineId: string, status: string, timeoutMs = 120_000): Promise<HttpAnswer> {
    return eventually(
      () => this.request('GET', `/api/v1/pipeline/${pipelineId}/health`),
      (answer) => answer.body?.overall_status === status,
      timeoutMs,
      50,
    );
  }

  /** Containers of a pipeline as Docker reports them, by name. */
  async containers(pipelineId: string): Promise<Map<string, Docker.ContainerInspectInfo>> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [`weir.pipeline=${pipelineId}`] } });
    const inspected = await Promise.all(list.map((info) => this.docker.getContainer(info.Id).inspect()));
    return new Map(inspected.map((info) => [info.Name.replace(/^\//, ''), info]));
  }

  /** Networks and volumes a pipeline still owns. */
  async leftovers(pipelineId: string): Promise<{ containers: number; networks: number; volumes: number }> {
    const filters = { label: [`weir.pipeline=${pipelineId}`] };
    const [containers, networks, volumes] = await Promise.all([
      this.docker.listContainers({ all: true, filters }),
      this.docker.listNetworks({ filters }),
      this.docker.listVolumes({ filters }),
    ]);
    return { containers: containers.length, networks: networks.length, volumes: volumes.Volumes?.length ?? 0 };
  }
}

export interface HttpAnswer {
  status: number;
  body: any;
  headers: Headers;
}
