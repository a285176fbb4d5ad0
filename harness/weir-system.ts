import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import Docker from 'dockerode';
import pino from 'pino';
import type { ActivityDependencies } from '../activities/create-activities';
import { loadKubeConfig } from '../kube-config';
import { pipelineSelector } from '../activities/kubernetes/resource-names';
import { JetStreamDataPlane } from '../activities/nats/jetstream-data-plane';
import { NatsConnectionProvider } from '../activities/nats/nats-connection';
import { NatsCredentialIssuer } from '../activities/nats/nats-credentials';
import { SecretDirectory } from '../secret-directory';
import { startApi, type RunningApi } from '../api/start-api';
import { loadConfig, type WeirConfig } from '../config';
import { orchestratorFromConfig, type ConfiguredOrchestrator } from '../worker/orchestrator-from-config';
import { createPipelineWorker } from '../worker/create-worker';
import { eventually } from './eventually';
import { installQuietRuntime, workflowBundle } from './workflow-bundle';

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
 * Weir as users run it, in-process: the real API and a real worker on the orchestrator WEIR_ORCHESTRATOR names
 * (Docker by default), against the Temporal dev server the global setup started.
 */
export class WeirSystem {
  readonly docker = new Docker();
  private worker?: { worker: Worker; running: Promise<void> };
  private readonly toRemove = new Set<string>();

  private constructor(
    readonly config: WeirConfig,
    private readonly configured: ConfiguredOrchestrator,
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
    const natsCredentials = await NatsCredentialIssuer.fromConfig(config.nats.auth);
    const nats = new NatsConnectionProvider(config.nats.url, natsCredentials);
    const configured = await orchestratorFromConfig(config);
    const activities: ActivityDependencies = {
      orchestrator: configured.orchestrator,
      dataPlane: new JetStreamDataPlane(nats),
      componentNatsUrl: config.nats.componentUrl,
      natsCredentials,
      secrets: new SecretDirectory(config.worker.secretsDir),
    };
    const system = new WeirSystem(config, configured, api, client, connection, activities, nats);
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

  /** Pipelines `close` removes completely first, checking that nothing of them is left. */
  removeAtClose(pipelineId: string): void {
    this.toRemove.add(pipelineId);
  }

  /** Removes the pipelines given to removeAtClose, then stops the worker and the API; throws if one was not gone. */
  async close(): Promise<void> {
    const failures: string[] = [];
    for (const pipelineId of this.toRemove) await this.removeCompletely(pipelineId).catch((error: Error) => failures.push(error.message));
    this.toRemove.clear();
    await this.stopWorker();
    await this.api.close();
    await this.client.connection.close();
    await this.connection.close();
    await this.nats.close();
    this.configured.close();
    if (failures.length > 0) throw new Error(`pipelines left behind at close:\n${failures.join('\n')}`);
  }

  /**
   * Sends a request to the API, with its token if it has one (unless the call brings an Authorization of its own); JSON
   * bodies are encoded, strings are sent as they are. A JSON answer is parsed, any other is returned as text.
   */
  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(this.config.api.token ? { authorization: `Bearer ${this.config.api.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json');
    return { status: response.status, body: isJson && text ? JSON.parse(text) : text || undefined, headers: response.headers };
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

  /**
   * Terminates the pipeline (unless it is Stopped or gone), deletes it and checks that nothing it owned is left:
   * no workflow, no container, network or volume. Throws describing what is left.
   */
  async removeCompletely(pipelineId: string): Promise<void> {
    const health = await this.request('GET', `/api/v1/pipeline/${pipelineId}/health`);
    if (health.status === 200 && health.body.overall_status !== 'Stopped') {
      const terminated = await this.request('POST', `/api/v1/pipeline/${pipelineId}/terminate`);
      if (terminated.status !== 204)
        throw new Error(`terminate ${pipelineId} answered ${terminated.status}: ${JSON.stringify(terminated.body)}`);
      await this.healthReaches(pipelineId, 'Stopped');
    }
    if (health.status === 200) {
      const deleted = await this.request('DELETE', `/api/v1/pipeline/${pipelineId}`);
      if (deleted.status !== 204) throw new Error(`delete ${pipelineId} answered ${deleted.status}: ${JSON.stringify(deleted.body)}`);
    }
    const gone = await this.request('GET', `/api/v1/pipeline/${pipelineId}`);
    const left = await this.leftovers(pipelineId);
    if (gone.status !== 404 || Object.values(left).some((count) => count > 0)) {
      throw new Error(`pipeline ${pipelineId} is not gone: GET answered ${gone.status}, left ${JSON.stringify(left)}`);
    }
  }

  /** How many objects of each kind a pipeline still owns: containers, networks and volumes, or its Kubernetes objects. */
  async leftovers(pipelineId: string): Promise<Record<string, number>> {
    if (this.config.orchestrator === 'kubernetes') return this.kubernetesLeftovers(pipelineId);
    const filters = { label: [`weir.pipeline=${pipelineId}`] };
    const [containers, networks, volumes] = await Promise.all([
      this.docker.listContainers({ all: true, filters }),
      this.docker.listNetworks({ filters }),
      this.docker.listVolumes({ filters }),
    ]);
    return { containers: containers.length, networks: networks.length, volumes: volumes.Volumes?.length ?? 0 };
  }

  private async kubernetesLeftovers(pipelineId: string): Promise<Record<string, number>> {
    const kubeConfig = loadKubeConfig(this.config.kubernetes.kubeconfig);
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const query = { namespace: this.config.kubernetes.namespace, labelSelector: pipelineSelector(pipelineId) };
    const lists = await Promise.all([
      apps.listNamespacedDeployment(query),
      apps.listNamespacedReplicaSet(query),
      core.listNamespacedPod(query),
      core.listNamespacedSecret(query),
      core.listNamespacedPersistentVolumeClaim(query),
    ]);
    const [deployments, replica_sets, pods, secrets, volume_claims] = lists.map((list) => list.items.length);
    return { deployments, replica_sets, pods, secrets, volume_claims };
  }
}

export interface HttpAnswer {
  status: number;
  body: any;
  headers: Headers;
}
