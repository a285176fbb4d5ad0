import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Docker from 'dockerode';
import { eventually } from '../../harness/eventually';
import { canInstallDebianPackages, installDebianPackage } from '../../scripts/apt';
import { ensureComposeLocalImages } from '../../scripts/compose-images';
import { findOnPath } from '../../scripts/find-executable';
import { findFreePort } from '../../scripts/ports';
import { repoRoot } from '../../scripts/repo-paths';
import { runCommand } from '../../scripts/run-command';

const COMPOSE_FILE = path.join(repoRoot, 'docker-compose.yml');
const PROJECT_LABEL = 'com.docker.compose.project';
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_SECONDS = 10;
const REQUEST_TIMEOUT_MS = 30_000;
const PROBE_TIMEOUT_MS = 2_000;

export interface ApiAnswer {
  status: number;
  /** The API's JSON, or its text for text/plain answers such as component logs. */
  body: any;
  headers: Headers;
}

/** What is left of a compose project (or of a pipeline) on the engine, by name. */
export interface EngineLeftovers {
  containers: string[];
  networks: string[];
  volumes: string[];
}

/**
 * docker-compose.yml brought up under a project name of its own, on images built from this machine's binaries, with
 * every host port free and on loopback. The stack's network is named after the project.
 */
export class ComposeStack {
  readonly docker = new Docker();

  private constructor(
    readonly project: string,
    private readonly composeBin: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly apiUrl: string,
    private readonly token: string,
  ) {}

  /** Gets docker-compose and the images, and picks the ports; `up` then starts the stack. */
  static async create(project: string): Promise<ComposeStack> {
    const composeBin = await ensureDockerCompose();
    const images = await ensureComposeLocalImages();
    const apiPort = await findFreePort();
    const token = randomBytes(24).toString('hex');
    // Only what docker-compose itself needs, so that no variable of this process changes what the file means.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
      ...images,
      WEIR_COMPOSE_NETWORK: project,
      WEIR_API_TOKEN: token,
      WEIR_API_PORT: String(apiPort),
      WEIR_TEMPORAL_PORT: String(await findFreePort()),
      WEIR_TEMPORAL_UI_PORT: String(await findFreePort()),
      WEIR_NATS_PORT: String(await findFreePort()),
      WEIR_STOP_GRACE_SECONDS: '5',
    };
    return new ComposeStack(project, composeBin, env, `http://127.0.0.1:${apiPort}`, token);
  }

  /** Starts the stack and answers once the API is ready; a failure carries the end of the services' logs. */
  async up(): Promise<void> {
    try {
      await this.compose('up', '--detach');
      await this.untilReady();
    } catch (error) {
      const logs = await this.logs().catch((logError: Error) => logError.message);
      throw new Error(`${(error as Error).message}\n--- docker-compose logs ---\n${logs}`, { cause: error });
    }
  }

  get networkName(): string {
    return this.project;
  }

  /** NATS as published on the host. */
  get natsUrl(): string {
    return `nats://127.0.0.1:${this.env.WEIR_NATS_PORT}`;
  }

  /** docker-compose with this stack's file, project and variables; resolves to its stdout. */
  compose(...args: string[]): Promise<string> {
    return runCommand(this.composeBin, ['--file', COMPOSE_FILE, '--project-name', this.project, ...args], this.env);
  }

  /** Stops and removes the stack's containers, its network and its volumes. */
  async down(): Promise<void> {
    await this.compose('down', '--volumes', '--remove-orphans', '--timeout', String(STOP_TIMEOUT_SECONDS));
  }

  logs(): Promise<string> {
    return this.compose('logs', '--no-color', '--tail', '30');
  }

  /** A request to the stack's API, with its token; JSON bodies are encoded. */
  async request(method: string, urlPath: string, body?: unknown): Promise<ApiAnswer> {
    const response = await fetch(`${this.apiUrl}${urlPath}`, {
      method,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const isJson = response.headers.get('content-type')?.startsWith('application/json') ?? false;
    return { status: response.status, body: isJson && text ? JSON.parse(text) : text, headers: response.headers };
  }

  /** Polls health until the pipeline shows `status`, and returns that answer. */
  healthReaches(pipelineId: string, status: string, timeoutMs = 120_000): Promise<ApiAnswer> {
    return eventually(
      () => this.request('GET', `/api/v1/pipeline/${pipelineId}/health`),
      (answer) => answer.body?.overall_status === status,
      timeoutMs,
      250,
    );
  }

  /** The stack's own containers, networks and volumes that the engine still has. */
  async leftovers(): Promise<EngineLeftovers> {
    const byLabel = { label: [`${PROJECT_LABEL}=${this.project}`] };
    const [containers, networks, { Volumes: volumes }] = await Promise.all([
      this.docker.listContainers({ all: true, filters: byLabel }),
      this.docker.listNetworks({ filters: { name: [this.networkName] } }),
      this.docker.listVolumes({ filters: byLabel }),
    ]);
    return {
      containers: containers.flatMap(({ Names }) => Names),
      // The name filter matches substrings too.
      networks: networks.map(({ Name }) => Name).filter((name) => name === this.networkName),
      volumes: (volumes ?? []).map(({ Name }) => Name),
    };
  }

  /** Answers once the API answers /readyz, which needs Temporal and NATS. */
  private async untilReady(): Promise<void> {
    await eventually(
      // While the API starts, Docker's port proxy may accept a connection and never answer on it.
      () => fetch(`${this.apiUrl}/readyz`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).then((response) => response.status),
      (status) => status === 200,
      START_TIMEOUT_MS,
      500,
    );
  }
}

/** A pipeline's containers, networks and volumes that the engine still has. */
export async function pipelineLeftovers(docker: Docker, pipelineId: string): Promise<EngineLeftovers> {
  const filters = { label: [`weir.pipeline=${pipelineId}`] };
  const [containers, networks, { Volumes: volumes }] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return {
    containers: containers.flatMap(({ Names }) => Names),
    networks: networks.map(({ Name }) => Name),
    volumes: (volumes ?? []).map(({ Name }) => Name),
  };
}

/** Removes what a pipeline left, when a test failed before deleting it: its containers hold the stack's network. */
export async function removePipelineLeftovers(docker: Docker, pipelineId: string): Promise<void> {
  const left = await pipelineLeftovers(docker, pipelineId);
  for (const name of left.containers) await docker.getContainer(name.replace(/^\//, '')).remove({ force: true, v: true });
  for (const name of left.networks) await docker.getNetwork(name).remove();
  for (const name of left.volumes) await docker.getVolume(name).remove();
}

/** Debian's docker-compose (v1.29 on Debian 12), installed with apt-get when it is missing and this process may. */
async function ensureDockerCompose(): Promise<string> {
  const onPath = await findOnPath('docker-compose');
  if (onPath) return onPath;
  if (!(await canInstallDebianPackages())) {
    throw new Error('docker-compose is not on PATH; install it (Debian/Ubuntu: apt-get install docker-compose), or run this as root there');
  }
  process.stderr.write('installing docker-compose (apt-get) ...\n');
  await installDebianPackage('docker-compose');
  const installed = await findOnPath('docker-compose');
  if (!installed) throw new Error('apt-get install docker-compose did not put docker-compose on PATH');
  return installed;
}
