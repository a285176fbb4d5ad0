import type Dockerode from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';
import { withDeadline } from './abort-after';
import type { ComponentSpec, PipelineSpec } from '../pipeline/pipeline-spec';
import { componentState, hasExited, msUntilMinReady, type Replica } from './docker/component-state';
import { lastLogLines } from './docker/container-logs';
import { containerCreateOptions } from './docker/container-options';
import { dockerStatusOf, ignoringStatus, undefinedIfMissing } from './docker/docker-errors';
import { refuseEngineRedirects } from './docker/engine-redirects';
import { containerNamed } from './docker/engine-paths';
import { ensureImage } from './docker/images';
import { ensurePipelineNetwork } from './docker/pipeline-network';
import { componentFingerprint } from './component-fingerprint';
import {
  COMPONENT_LABEL,
  FINGERPRINT_LABEL,
  PIPELINE_LABEL,
  REPLICA_LABEL,
  containerName,
  networkName,
  pipelineFilter,
  pipelineLabels,
  volumeName,
} from './docker/resource-names';
import { ComponentExitedError, ComponentMissingError, ComponentUnhealthyError, ContainerNameTakenError } from './errors';
import { ContainerEvents } from './docker/container-events';
import { OwnStops } from './docker/own-stops';
import type { ComponentState } from '../pipeline/heartbeat-details';
import type { Orchestrator, WaitOptions } from './orchestrator';
import type { RunnableComponent, RunnableSpec } from './runnable-spec';

export interface DockerOrchestratorOptions {
  /** 'pipeline' (default): a user-defined bridge network per pipeline, named weir-<pipeline_id>. Anything else is passed as the container NetworkMode (e.g. 'host'). */
  networkMode: string;
  /** Whether to try `docker pull` for an image missing locally (default true). */
  pullMissingImages: boolean;
  /** How long to wait between looks for a concurrent create or removal to settle, in ms (default 500). */
  pollIntervalMs: number;
  /** How often waitUntilReady looks even without a Docker event, in case one was missed (default 2 s). */
  readyPollIntervalMs: number;
  /**
   * How often a watch looks even without a Docker event while the event stream is open, in case the engine dropped
   * one (default 5 min); a look is an inspect per replica.
   */
  watchPollIntervalMs: number;
  /** How often a watch looks while the event stream is not open, and changes may go unreported (default 30 s). */
  watchPollWithoutEventsMs: number;
}

const PIPELINE_NETWORK_MODE = 'pipeline';

const DEFAULT_OPTIONS: DockerOrchestratorOptions = {
  networkMode: PIPELINE_NETWORK_MODE,
  pullMissingImages: true,
  pollIntervalMs: 500,
  readyPollIntervalMs: 2000,
  watchPollIntervalMs: 300_000,
  watchPollWithoutEventsMs: 30_000,
};
const EXIT_LOG_LINES = 5;
/** How many times to look for a concurrent create or removal to finish before giving up (the caller retries). */
const SETTLE_CHECKS = 10;

interface ObservedComponent {
  component: string;
  minReadyMs: number;
  replicas: Replica[];
}

/** Runs each component replica as a Docker container, named and labelled as the README describes under "Operating". */
export class DockerOrchestrator implements Orchestrator {
  private readonly options: DockerOrchestratorOptions;
  private readonly events: ContainerEvents;
  private readonly ownStops = new OwnStops();

  constructor(
    private readonly docker: Dockerode,
    options: Partial<DockerOrchestratorOptions> = {},
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    refuseEngineRedirects();
    this.events = new ContainerEvents(docker);
  }

  async deploy(spec: RunnableSpec): Promise<void> {
    this.ownStops.forget(spec.pipeline_id);
    // Independent of each other, so at once: on a resume they all find what they need already there.
    await Promise.all([
      ...spec.components.map((component) => ensureImage(this.docker, component.image, component.name, this.options.pullMissingImages)),
      this.options.networkMode === PIPELINE_NETWORK_MODE ? ensurePipelineNetwork(this.docker, spec.pipeline_id) : undefined,
      // Creating a volume that exists returns the existing one.
      this.docker.createVolume({ Name: volumeName(spec.pipeline_id), Labels: pipelineLabels(spec.pipeline_id) }),
    ]);
    const containers = await Promise.all(
      spec.components.flatMap((component) => replicaNumbers(component).map((replica) => this.ensureContainer(spec, component, replica))),
    );
    await Promise.all(containers.map((container) => ignoringStatus(container.start(), 304)));
  }

  /** Looks when Docker reports a change, when a replica's min_ready_seconds pass, and every readyPollIntervalMs in any case. */
  async waitUntilReady(spec: PipelineSpec, { signal, onProgress }: WaitOptions): Promise<void> {
    const wakeup = this.events.watch(spec.pipeline_id);
    try {
      for (;;) {
        signal.throwIfAborted();
        const observed = await this.observe(spec);
        const states = statesOf(observed);
        onProgress(states);
        await this.throwIfAnyExited(observed);
        if (states.every(({ state }) => state === 'running')) return;
        const untilMinReady = observed.map(({ replicas, minReadyMs }) => msUntilMinReady(replicas, minReadyMs) ?? Infinity);
        const nextLookMs = Math.min(this.options.readyPollIntervalMs, ...untilMinReady);
        await withDeadline(signal, nextLookMs, (look) => wakeup.wait(look));
      }
    } finally {
      wakeup.close();
    }
  }

  async stopGracefully(spec: PipelineSpec, graceSeconds: number, components?: string[]): Promise<void> {
    this.ownStops.begin(spec.pipeline_id);
    const containers = await this.pipelineContainers(spec.pipeline_id, components);
    await Promise.all(containers.map((container) => ignoringStatus(container.stop({ t: graceSeconds }), 304, 404)));
  }

  /**
   * Stops the surplus replicas, the highest numbers, with SIGTERM and SIGKILL after the grace period, and removes them;
   * then creates and starts the missing ones, which share the component's consumer. The watch of the new spec no longer
   * looks at the surplus, so this is no own stop: a replica that stays and dies is still a failure.
   */
  async scale(spec: RunnableSpec, componentName: string, graceSeconds: number): Promise<void> {
    const component = spec.components.find(({ name }) => name === componentName);
    if (!component) throw new Error(`pipeline ${spec.pipeline_id} has no component ${componentName} to scale`);
    const containers = await this.docker.listContainers({ all: true, filters: pipelineFilter(spec.pipeline_id) });
    const surplus = containers.filter(
      ({ Labels }) => Labels[COMPONENT_LABEL] === componentName && Number(Labels[REPLICA_LABEL]) >= component.replicas,
    );
    await Promise.all(
      surplus.map(async ({ Id }) => {
        const container = this.docker.getContainer(Id);
        await ignoringStatus(container.stop({ t: graceSeconds }), 304, 404);
        await ignoringStatus(container.remove({ force: true, v: true }), 404, 409);
      }),
    );
    await ensureImage(this.docker, component.image, component.name, this.options.pullMissingImages);
    const replicas = await Promise.all(replicaNumbers(component).map((replica) => this.ensureContainer(spec, component, replica)));
    await Promise.all(replicas.map((container) => ignoringStatus(container.start(), 304)));
  }

  async kill(spec: PipelineSpec): Promise<void> {
    this.ownStops.begin(spec.pipeline_id);
    const containers = await this.pipelineContainers(spec.pipeline_id);
    await Promise.all(containers.map((container) => ignoringStatus(container.kill({ signal: 'SIGKILL' }), 404, 409)));
  }

  /** Applies the spec first: containers of components it removed or changed, and surplus replicas, go. */
  async startAgain(spec: RunnableSpec): Promise<void> {
    await this.removeOutdated(spec);
    await this.deploy(spec);
  }

  async remove(pipelineId: string): Promise<void> {
    this.ownStops.forget(pipelineId);
    for (let attempt = 1; ; attempt++) {
      await this.removeEverything(pipelineId);
      const leftovers = await this.leftovers(pipelineId);
      if (leftovers.length === 0) return;
      if (attempt === SETTLE_CHECKS) throw new Error(`pipeline ${pipelineId} still has ${leftovers.join(', ')} after removal`);
      await sleep(this.options.pollIntervalMs);
    }
  }

  async watch(spec: PipelineSpec, { signal, onProgress }: WaitOptions): Promise<void> {
    const wakeup = this.events.watch(spec.pipeline_id);
    try {
      while (!signal.aborted) {
        const observed = await this.observe(spec);
        onProgress(statesOf(observed));
        const replicas = observed.flatMap((component) => component.replicas);
        if (!this.ownStops.explain(spec.pipeline_id, replicas)) await this.throwIfAnyFailed(observed);
        const pollMs = this.events.isOpen ? this.options.watchPollIntervalMs : this.options.watchPollWithoutEventsMs;
        await withDeadline(signal, pollMs, (poll) => wakeup.wait(poll));
      }
    } finally {
      wakeup.close();
    }
  }

  async inspect(spec: PipelineSpec): Promise<ComponentState[]> {
    return statesOf(await this.observe(spec));
  }

  private async ensureContainer(spec: RunnableSpec, component: RunnableComponent, replica: number): Promise<Dockerode.Container> {
    const options = containerCreateOptions({
      pipelineId: spec.pipeline_id,
      component,
      replica,
      networkMode: this.options.networkMode === PIPELINE_NETWORK_MODE ? networkName(spec.pipeline_id) : this.options.networkMode,
    });
    try {
      return await this.docker.createContainer(options);
    } catch (error) {
      if (dockerStatusOf(error) !== 409) throw error;
    }
    // 409: the name is taken. A concurrent create reserves the name before its container exists, so wait for it.
    const existing = containerNamed(this.docker, options.name);
    let info: Dockerode.ContainerInspectInfo | undefined;
    for (let attempt = 1; !(info = await undefinedIfMissing(existing.inspect())); attempt++) {
      if (attempt === SETTLE_CHECKS) throw new Error(`container ${options.name} is reserved but was never created`);
      await sleep(this.options.pollIntervalMs);
    }
    // Different pipeline and component names can join into the same container name; never adopt another's container.
    const labels = info.Config.Labels ?? {};
    if (labels[PIPELINE_LABEL] !== spec.pipeline_id || labels[COMPONENT_LABEL] !== component.name) {
      throw new ContainerNameTakenError(component.name, options.name, labels[PIPELINE_LABEL]);
    }
    return existing;
  }

  private async observe(spec: PipelineSpec): Promise<ObservedComponent[]> {
    return Promise.all(
      spec.components.map(async (component) => ({
        component: component.name,
        minReadyMs: (component.min_ready_seconds ?? 0) * 1000,
        replicas: await Promise.all(
          replicaNumbers(component).map((replica) =>
            undefinedIfMissing(containerNamed(this.docker, containerName(spec.pipeline_id, component.name, replica)).inspect()),
          ),
        ),
      })),
    );
  }

  /** Throws for the first replica that is not running as it should: exited, missing or unhealthy. */
  private async throwIfAnyFailed(observed: ObservedComponent[]): Promise<void> {
    await this.throwIfAnyExited(observed);
    for (const { component, replicas } of observed) {
      if (replicas.some((replica) => !replica)) throw new ComponentMissingError(component);
      const unhealthy = replicas.find((replica) => replica?.State.Health?.Status === 'unhealthy');
      if (unhealthy) throw new ComponentUnhealthyError(component, lastHealthOutput(unhealthy));
    }
  }

  private async throwIfAnyExited(observed: ObservedComponent[]): Promise<void> {
    for (const { component, replicas } of observed) {
      const exited = replicas.find(hasExited);
      if (exited) {
        const logs = await lastLogLines(this.docker.getContainer(exited.Id), EXIT_LOG_LINES);
        throw new ComponentExitedError(component, exited.State.ExitCode, logs, exited.State.OOMKilled);
      }
    }
  }

  /** The pipeline's containers, or only those of the named components. */
  private async pipelineContainers(pipelineId: string, components?: string[]): Promise<Dockerode.Container[]> {
    const containers = await this.docker.listContainers({ all: true, filters: pipelineFilter(pipelineId) });
    return containers
      .filter(({ Labels }) => !components || components.includes(Labels[COMPONENT_LABEL]))
      .map(({ Id }) => this.docker.getContainer(Id));
  }

  /** Removes every container that does not run `spec`: its component is gone or changed, or its replica is surplus. */
  private async removeOutdated(spec: PipelineSpec): Promise<void> {
    const wanted = new Map(
      spec.components.map((component) => [component.name, { replicas: component.replicas, fingerprint: componentFingerprint(component) }]),
    );
    const containers = await this.docker.listContainers({ all: true, filters: pipelineFilter(spec.pipeline_id) });
    const outdated = containers.filter(({ Labels }) => {
      const component = wanted.get(Labels[COMPONENT_LABEL]);
      // Containers made before replicas were labelled are replica 0..n-1 of what their names say; before the spec hash, unknown.
      return !component || Number(Labels[REPLICA_LABEL]) >= component.replicas || Labels[FINGERPRINT_LABEL] !== component.fingerprint;
    });
    // 404: removed concurrently; 409: a removal is under way, and deploy waits for the name to be free.
    await Promise.all(outdated.map(({ Id }) => ignoringStatus(this.docker.getContainer(Id).remove({ force: true, v: true }), 404, 409)));
  }

  private async removeEverything(pipelineId: string): Promise<void> {
    const containers = await this.pipelineContainers(pipelineId);
    // 409 means a removal is under way, or a network or volume is still in use by a container being created or removed
    // concurrently: remove() looks again.
    await Promise.all(containers.map((container) => ignoringStatus(container.remove({ force: true, v: true }), 404, 409)));
    const networks = await this.docker.listNetworks({ filters: pipelineFilter(pipelineId) });
    await Promise.all(networks.map(({ Id }) => ignoringStatus(this.docker.getNetwork(Id).remove(), 404, 409)));
    const { Volumes: volumes } = await this.docker.listVolumes({ filters: pipelineFilter(pipelineId) });
    await Promise.all((volumes ?? []).map(({ Name }) => ignoringStatus(this.docker.getVolume(Name).remove(), 404, 409)));
  }

  /** Describes what is still labelled with the pipeline. */
  private async leftovers(pipelineId: string): Promise<string[]> {
    const filters = pipelineFilter(pipelineId);
    const [containers, networks, { Volumes: volumes }] = await Promise.all([
      this.docker.listContainers({ all: true, filters }),
      this.docker.listNetworks({ filters }),
      this.docker.listVolumes({ filters }),
    ]);
    return [
      ...containers.map(({ Names }) => `container ${Names.join(',')}`),
      ...networks.map(({ Name }) => `network ${Name}`),
      ...(volumes ?? []).map(({ Name }) => `volume ${Name}`),
    ];
  }
}

function statesOf(observed: ObservedComponent[]): ComponentState[] {
  const now = Date.now();
  return observed.map(({ component, replicas, minReadyMs }) => componentState(component, replicas, minReadyMs, now));
}

function lastHealthOutput(replica: Dockerode.ContainerInspectInfo): string {
  const log = replica.State.Health?.Log ?? [];
  return log.length > 0 ? `${log[log.length - 1].Output}`.trim() : '';
}

function replicaNumbers(component: ComponentSpec): number[] {
  return Array.from({ length: component.replicas }, (_, replica) => replica);
}
