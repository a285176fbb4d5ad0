import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import Docker from 'dockerode';
import { withWeirEnv } from '../../activities/component-env';
import { componentFingerprint } from '../../activities/component-fingerprint';
import { DATA_MOUNT_PATH } from '../../activities/docker/container-options';
import { pullImage } from '../../activities/docker/images';
import { DockerOrchestrator } from '../../activities/docker-orchestrator';
import { ComponentExitedError, ComponentMissingError, ImageUnavailableError } from '../../activities/errors';
import type { ComponentState } from '../../pipeline/heartbeat-details';
import type { ComponentSpec, PipelineSpec } from '../../pipeline/pipeline-spec';
import type { WaitOptions } from '../../activities/orchestrator';
import { eventually } from '../../harness/eventually';
import { HEALTH_GATED_IMAGE, ensureHealthGatedImage } from '../support/test-images';

const docker = new Docker();
const hostNetwork = new DockerOrchestrator(docker, { networkMode: 'host', pollIntervalMs: 100 });
const SLEEP = ['sleep', '3600'];
const IGNORES_TERM = ['sh', '-c', 'trap "" TERM; sleep 3600'];
const EXITS_0_ON_TERM = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'];

const deployedPipelines: string[] = [];

afterEach(async () => {
  await Promise.all(deployedPipelines.splice(0).map((pipelineId) => hostNetwork.remove(pipelineId)));
});

/** A pipeline with a fresh id, of busybox components that sleep unless told otherwise; removed after the test. */
function pipelineOf(...components: Array<Pick<ComponentSpec, 'name'> & Partial<ComponentSpec>>): PipelineSpec {
  const pipelineId = `t-${randomBytes(4).toString('hex')}`;
  deployedPipelines.push(pipelineId);
  return {
    pipeline_id: pipelineId,
    name: pipelineId,
    components: components.map((component) => ({ image: 'busybox:latest', command: SLEEP, replicas: 1, ...component })),
  };
}

const labelFilter = (pipelineId: string) => ({ label: [`weir.pipeline=${pipelineId}`] });

/** The pipeline's containers, inspected, in name order. */
async function containersOf(pipelineId: string): Promise<Docker.ContainerInspectInfo[]> {
  const listed = await docker.listContainers({ all: true, filters: labelFilter(pipelineId) });
  const inspected = await Promise.all(listed.map(({ Id }) => docker.getContainer(Id).inspect()));
  return inspected.sort((a, b) => a.Name.localeCompare(b.Name));
}

function waitUntilReady(orchestrator: DockerOrchestrator, spec: PipelineSpec, onProgress: (states: ComponentState[]) => void = () => {}) {
  return orchestrator.waitUntilReady(spec, { signal: new AbortController().signal, onProgress });
}

async function secondsTaken(operation: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await operation();
  return (Date.now() - started) / 1000;
}

describe('DockerOrchestrator', () => {
  test('deploy creates one labelled, unprivileged container per replica, with the pipeline volume as its only mount', async () => {
    const orchestrator = new DockerOrchestrator(docker, { networkMode: 'host' });
    const spec = pipelineOf({ name: 'source', replicas: 2, env: { GREETING: 'hello' } });
    const id = spec.pipeline_id;

    const runnable = withWeirEnv(spec, 'nats://127.0.0.1:4222');
    await orchestrator.deploy(runnable);

    const containers = await containersOf(id);
    expect(containers.map(({ Name }) => Name)).toEqual([`/weir-${id}-source-0`, `/weir-${id}-source-1`]);
    containers.forEach((container, replica) => {
      expect(container.Config.Labels).toEqual({
        'weir.pipeline': id,
        'weir.component': 'source',
        'weir.replica': String(replica),
        'weir.managed': 'true',
        'weir.spec-hash': componentFingerprint(runnable.components[0]),
      });
      expect(container.Config.Env).toEqual(
        expect.arrayContaining(['GREETING=hello', `WEIR_PIPELINE_ID=${id}`, 'WEIR_COMPONENT=source', 'NATS_URL=nats://127.0.0.1:4222']),
      );
      expect(container.Config.Cmd).toEqual(SLEEP);
      expect(container.HostConfig).toMatchObject({
        Privileged: false,
        SecurityOpt: ['no-new-privileges'],
        RestartPolicy: { Name: 'no' },
        NetworkMode: 'host',
        PidMode: '',
      });
      expect(container.HostConfig.Binds ?? []).toEqual([]);
      expect(container.Mounts).toEqual([
        expect.objectContaining({ Type: 'volume', Name: `weir-${id}-data`, Destination: DATA_MOUNT_PATH }),
      ]);
      expect(container.State.Running).toBe(true);
    });
    const volume = await docker.getVolume(`weir-${id}-data`).inspect();
    expect(volume.Labels).toMatchObject({ 'weir.pipeline': id });
    expect(await docker.listNetworks({ filters: labelFilter(id) })).toEqual([]);
  });

  test('deploy is idempotent, also when deploys from separate orchestrators race', async () => {
    const spec = pipelineOf({ name: 'source', replicas: 2 });
    const other = new DockerOrchestrator(docker, { networkMode: 'host', pollIntervalMs: 100 });

    await Promise.all([hostNetwork.deploy(spec), other.deploy(spec), other.deploy(spec)]);
    const first = (await containersOf(spec.pipeline_id)).map(({ Id }) => Id);
    await hostNetwork.deploy(spec);

    expect(first).toHaveLength(2);
    expect((await containersOf(spec.pipeline_id)).map(({ Id }) => Id)).toEqual(first);
  });

  test('deploy never adopts a container of another pipeline whose name collides', async () => {
    const first = pipelineOf({ name: 'b-0' });
    await hostNetwork.deploy(first);
    const second: PipelineSpec = { ...pipelineOf({ name: '0' }), pipeline_id: `${first.pipeline_id}-b` };
    deployedPipelines.push(second.pipeline_id);

    await expect(hostNetwork.deploy(second)).rejects.toMatchObject({ type: 'ContainerNameTaken', retryable: false, component: '0' });
    expect(await containersOf(second.pipeline_id)).toHaveLength(0);
    expect(await containersOf(first.pipeline_id)).toHaveLength(1);
  });

  test('by default a pipeline gets one labelled network of its own, also when deploys race', async () => {
    const orchestrator = new DockerOrchestrator(docker);
    const spec = pipelineOf({ name: 'source' }, { name: 'sink' });
    const network = `weir-${spec.pipeline_id}`;

    await Promise.all([orchestrator.deploy(spec), orchestrator.deploy(spec)]);
    await orchestrator.deploy(spec);
    await waitUntilReady(orchestrator, spec);

    const networks = await docker.listNetworks({ filters: labelFilter(spec.pipeline_id) });
    expect(networks.map(({ Name, Driver }) => ({ Name, Driver }))).toEqual([{ Name: network, Driver: 'bridge' }]);
    for (const container of await containersOf(spec.pipeline_id)) {
      expect(container.HostConfig.NetworkMode).toBe(network);
      expect(Object.keys(container.NetworkSettings.Networks)).toEqual([network]);
    }
  });

  test('waitUntilReady resolves at its first look once every replica runs, with no uptime floor', async () => {
    const spec = pipelineOf({ name: 'source', replicas: 2 }, { name: 'sink' });
    const progress: ComponentState[][] = [];

    await hostNetwork.deploy(spec);
    await waitUntilReady(hostNetwork, spec, (states) => progress.push(states));

    expect(progress).toEqual([
      [
        { component: 'source', desired_replicas: 2, ready_replicas: 2, state: 'running' },
        { component: 'sink', desired_replicas: 1, ready_replicas: 1, state: 'running' },
      ],
    ]);
  });

  test('with min_ready_seconds, waitUntilReady reports the component starting until it has run that long, then looks at once', async () => {
    // A safety poll far longer than the test: only the min_ready_seconds timer can end the wait in time.
    const patient = new DockerOrchestrator(docker, { networkMode: 'host', readyPollIntervalMs: 60_000 });
    const spec = pipelineOf({ name: 'steady', min_ready_seconds: 1 }, { name: 'quick' });
    const progress: ComponentState[][] = [];

    await patient.deploy(spec);
    await waitUntilReady(patient, spec, (states) => progress.push(states));
    const readyAt = Date.now();

    const steady = (await containersOf(spec.pipeline_id)).find(({ Name }) => Name.endsWith('-steady-0'))!;
    const sinceStart = readyAt - Date.parse(steady.State.StartedAt);
    expect(sinceStart).toBeGreaterThanOrEqual(1000);
    expect(sinceStart).toBeLessThan(5000);
    expect(progress[0]).toEqual([
      {
        component: 'steady',
        desired_replicas: 1,
        ready_replicas: 0,
        state: 'starting',
        message: 'replica 0 has run for less than min_ready_seconds (1 s)',
      },
      { component: 'quick', desired_replicas: 1, ready_replicas: 1, state: 'running' },
    ]);
    expect(progress.at(-1)).toEqual([
      { component: 'steady', desired_replicas: 1, ready_replicas: 1, state: 'running' },
      { component: 'quick', desired_replicas: 1, ready_replicas: 1, state: 'running' },
    ]);
  });

  describe('with an image that defines a healthcheck', () => {
    beforeAll(async () => {
      await ensureHealthGatedImage(docker);
    });

    test("waitUntilReady waits until the container is healthy, woken by Docker's health event rather than its poll", async () => {
      const patient = new DockerOrchestrator(docker, { networkMode: 'host', readyPollIntervalMs: 60_000 });
      const spec = pipelineOf({ name: 'slow', image: HEALTH_GATED_IMAGE, command: ['sh', '-c', 'sleep 2; touch /tmp/ready; sleep 3600'] });
      const progress: ComponentState[] = [];

      await patient.deploy(spec);
      const seconds = await secondsTaken(() => waitUntilReady(patient, spec, (states) => progress.push(...states)));

      expect(seconds).toBeGreaterThanOrEqual(1.5);
      expect(seconds).toBeLessThan(30);
      expect(progress[0]).toMatchObject({ state: 'starting', ready_replicas: 0, message: 'replica 0 is starting' });
      expect(progress.at(-1)).toMatchObject({ state: 'running', ready_replicas: 1 });
    });
  });

  test('waitUntilReady rejects with ComponentExitedError naming the component, its exit code and last log lines', async () => {
    const crash = 'for line in 1 2 3 4 5 6 7; do echo line $line; done; sleep 0.2; echo boom >&2; exit 3';
    // min_ready_seconds keeps the crasher from counting as ready before it dies.
    const spec = pipelineOf({ name: 'worker' }, { name: 'crasher', command: ['sh', '-c', crash], min_ready_seconds: 10 });

    await hostNetwork.deploy(spec);
    const error = await waitUntilReady(hostNetwork, spec).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ComponentExitedError);
    expect(error).toMatchObject({ component: 'crasher', retryable: false });
    const message = (error as Error).message;
    expect(message).toMatch(/^component crasher exited with code 3; last log lines: /);
    // Docker copies stdout and stderr separately, so only output written some time apart keeps its order.
    expect(message).toMatch(/last log lines: line 4\nline 5\nline 6\nline 7\nboom$/);
  });

  test('waitUntilReady rejects promptly when its signal aborts', async () => {
    const spec = pipelineOf({ name: 'never-deployed' });
    const abort = new AbortController();
    const progress: ComponentState[][] = [];
    setTimeout(() => abort.abort(new Error('cancelled by test')), 300);

    const started = Date.now();
    await expect(
      hostNetwork.waitUntilReady(spec, { signal: abort.signal, onProgress: (states) => progress.push(states) }),
    ).rejects.toThrow();

    expect(Date.now() - started).toBeLessThan(1000);
    expect(progress[0]).toEqual([
      { component: 'never-deployed', desired_replicas: 1, ready_replicas: 0, state: 'missing', message: 'replica 0 has no container' },
    ]);
  });

  test('stopGracefully kills a process that ignores SIGTERM once the grace period has passed', async () => {
    const spec = pipelineOf({ name: 'stubborn', command: IGNORES_TERM });
    await hostNetwork.deploy(spec);
    await waitUntilReady(hostNetwork, spec);

    const seconds = await secondsTaken(() => hostNetwork.stopGracefully(spec, 2));

    expect(seconds).toBeGreaterThanOrEqual(1.8);
    expect(seconds).toBeLessThan(6);
    const [container] = await containersOf(spec.pipeline_id);
    expect(container.State).toMatchObject({ Running: false, Status: 'exited', ExitCode: 137 });
  });

  test('stopGracefully ends processes that exit on SIGTERM at once, and can be repeated', async () => {
    const spec = pipelineOf({ name: 'sleeper', replicas: 2 }, { name: 'tidy', command: EXITS_0_ON_TERM });
    await hostNetwork.deploy(spec);
    await waitUntilReady(hostNetwork, spec);

    const seconds = await secondsTaken(() => hostNetwork.stopGracefully(spec, 30));
    await hostNetwork.stopGracefully(spec, 30);

    expect(seconds).toBeLessThan(3);
    const exitCodes = (await containersOf(spec.pipeline_id)).map(({ Name, State }) => [Name, State.Status, State.ExitCode]);
    expect(exitCodes).toEqual([
      [`/weir-${spec.pipeline_id}-sleeper-0`, 'exited', 143],
      [`/weir-${spec.pipeline_id}-sleeper-1`, 'exited', 143],
      [`/weir-${spec.pipeline_id}-tidy-0`, 'exited', 0],
    ]);
  });

  test('kill ends every replica at once with exit code 137, and startAgain brings the same containers back', async () => {
    const spec = pipelineOf({ name: 'source', replicas: 2 }, { name: 'stubborn', command: IGNORES_TERM });
    await hostNetwork.deploy(spec);
    await waitUntilReady(hostNetwork, spec);
    const ids = (await containersOf(spec.pipeline_id)).map(({ Id }) => Id);

    const seconds = await secondsTaken(() => hostNetwork.kill(spec));
    await hostNetwork.kill(spec);

    expect(seconds).toBeLessThan(2);
    expect((await containersOf(spec.pipeline_id)).map(({ State }) => [State.Running, State.ExitCode])).toEqual([
      [false, 137],
      [false, 137],
      [false, 137],
    ]);

    await hostNetwork.startAgain(spec);
    await waitUntilReady(hostNetwork, spec);

    const restarted = await containersOf(spec.pipeline_id);
    expect(restarted.map(({ Id }) => Id)).toEqual(ids);
    expect(restarted.every(({ State }) => State.Running)).toBe(true);
  });

  test('startAgain recreates a container that has gone missing', async () => {
    const spec = pipelineOf({ name: 'source', replicas: 2 });
    await hostNetwork.deploy(spec);
    await docker.getContainer(`weir-${spec.pipeline_id}-source-1`).remove({ force: true });

    await hostNetwork.startAgain(spec);
    await waitUntilReady(hostNetwork, spec);

    expect(await hostNetwork.inspect(spec)).toEqual([{ component: 'source', desired_replicas: 2, ready_replicas: 2, state: 'running' }]);
  });

  /** Starts a watch of a running pipeline, once it has looked for the first time; `ended` settles with the error that ended it. */
  async function watchOf(
    orchestrator: DockerOrchestrator,
    spec: PipelineSpec,
    { signal = new AbortController().signal, onProgress = () => {} }: Partial<WaitOptions> = {},
  ): Promise<{ ended: Promise<unknown> }> {
    await orchestrator.deploy(spec);
    await waitUntilReady(orchestrator, spec);
    let looked: () => void = () => {};
    const firstLook = new Promise<void>((resolve) => (looked = resolve));
    const reporting = (states: ComponentState[]) => {
      looked();
      onProgress(states);
    };
    const ended = orchestrator.watch(spec, { signal, onProgress: reporting }).then(
      () => new Error('the watch returned without a failure'),
      (error: unknown) => error,
    );
    await firstLook;
    return { ended };
  }

  test('watch fails with ComponentMissingError as soon as a container is removed, long before its next poll', async () => {
    const spec = pipelineOf({ name: 'source' });
    const { ended } = await watchOf(hostNetwork, spec);
    const seconds = await secondsTaken(async () => {
      await docker.getContainer(`weir-${spec.pipeline_id}-source-0`).remove({ force: true });
      expect(await ended).toBeInstanceOf(ComponentMissingError);
    });
    expect(seconds).toBeLessThan(5);
  });

  test('a watch does not fail for the exits its own orchestrator caused by a stop or kill, but does once the pipeline started again', async () => {
    const spec = pipelineOf({ name: 'source' }, { name: 'sink' });
    const cancel = new AbortController();
    let latest: ComponentState[] = [];
    const { ended } = await watchOf(hostNetwork, spec, { signal: cancel.signal, onProgress: (states) => (latest = states) });
    let endedEarly = false;
    void ended.then(() => (endedEarly = true));

    await hostNetwork.stopGracefully(spec, 5, ['source']);
    await hostNetwork.kill(spec);
    // The watch has looked since both exits, and carries on until its cancellation reaches it.
    await eventually(
      async () => latest,
      (states) => states.every(({ state }) => state === 'stopped'),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(endedEarly).toBe(false);
    cancel.abort();
    expect(await ended).toEqual(new Error('the watch returned without a failure'));

    // Started again elsewhere, as by another worker: this orchestrator's stop no longer explains an exit.
    const elsewhere = new DockerOrchestrator(docker, { networkMode: 'host' });
    await elsewhere.startAgain(spec);
    await waitUntilReady(elsewhere, spec);
    const watched = hostNetwork.watch(spec, { signal: new AbortController().signal, onProgress: () => {} });
    await docker.getContainer(`weir-${spec.pipeline_id}-sink-0`).kill();
    const error = await watched.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ComponentExitedError);
    expect(error).toMatchObject({ component: 'sink', message: expect.stringMatching(/^component sink exited with code 137/) });
  });

  test('watch looks again after its poll interval even when no event wakes it', async () => {
    const polling = new DockerOrchestrator(docker, { networkMode: 'host', pollIntervalMs: 100, watchPollIntervalMs: 300 });
    const spec = pipelineOf({ name: 'source' });
    const { ended } = await watchOf(polling, spec);
    // A rename raises only a rename event, which the watch ignores; the replica's container name is gone all the same.
    await docker.getContainer(`weir-${spec.pipeline_id}-source-0`).rename({ name: `renamed-${spec.pipeline_id}` });
    expect(await ended).toBeInstanceOf(ComponentMissingError);
  });

  test('deploy rejects an image that is neither local nor pullable with ImageUnavailableError, within seconds', async () => {
    const spec = pipelineOf({ name: 'source' }, { name: 'ghost', image: 'weir-test/does-not-exist:1' });

    const started = Date.now();
    const error = await hostNetwork.deploy(spec).catch((caught: unknown) => caught);

    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(ImageUnavailableError);
    expect(error).toMatchObject({ component: 'ghost', retryable: false });
    expect((error as Error).message).toMatch(/^image weir-test\/does-not-exist:1 is not available locally and could not be pulled: .+/);
    expect(await containersOf(spec.pipeline_id)).toEqual([]);
  });

  test('a pull from a registry that never answers is given up once it stalls', async () => {
    const connections: net.Socket[] = [];
    const silentRegistry = net.createServer((connection) => connections.push(connection)).listen(0, '127.0.0.1');
    await once(silentRegistry, 'listening');
    try {
      const { port } = silentRegistry.address() as net.AddressInfo;
      const started = Date.now();

      await expect(pullImage(docker, `127.0.0.1:${port}/weir-test/stalled:1`, 1000)).rejects.toThrow(
        'the pull made no progress for 1000 ms',
      );
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      connections.forEach((connection) => connection.destroy());
      silentRegistry.close();
    }
  });

  test('deploy does not pull when pulling is disabled', async () => {
    const orchestrator = new DockerOrchestrator(docker, { networkMode: 'host', pullMissingImages: false });
    const spec = pipelineOf({ name: 'ghost', image: 'weir-test/does-not-exist:1' });

    await expect(orchestrator.deploy(spec)).rejects.toThrow(
      'image weir-test/does-not-exist:1 is not available locally and could not be pulled: pulling missing images is disabled',
    );
  });

  test('remove deletes every container, network and volume of the pipeline, and can be repeated', async () => {
    const orchestrator = new DockerOrchestrator(docker);
    const spec = pipelineOf({ name: 'source', replicas: 2 }, { name: 'stubborn', command: IGNORES_TERM });
    const filters = labelFilter(spec.pipeline_id);
    await orchestrator.deploy(spec);
    await waitUntilReady(orchestrator, spec);

    await orchestrator.remove(spec.pipeline_id);
    await orchestrator.remove(spec.pipeline_id);

    expect(await docker.listContainers({ all: true, filters })).toEqual([]);
    expect(await docker.listNetworks({ filters })).toEqual([]);
    expect((await docker.listVolumes({ filters })).Volumes ?? []).toEqual([]);
    expect(await orchestrator.inspect(spec)).toEqual([
      expect.objectContaining({ component: 'source', state: 'missing' }),
      expect.objectContaining({ component: 'stubborn', state: 'missing' }),
    ]);
  });

  test('inspect reports missing, running, failed and stopped components', async () => {
    const spec = pipelineOf({ name: 'steady', replicas: 2 }, { name: 'crasher', command: ['sh', '-c', 'exit 3'] });
    expect(await hostNetwork.inspect(spec)).toEqual([
      { component: 'steady', desired_replicas: 2, ready_replicas: 0, state: 'missing', message: 'replica 0 has no container' },
      { component: 'crasher', desired_replicas: 1, ready_replicas: 0, state: 'missing', message: 'replica 0 has no container' },
    ]);

    await hostNetwork.deploy(spec);
    const states = await eventually(
      () => hostNetwork.inspect(spec),
      ([steady, crasher]) => steady.state === 'running' && crasher.state === 'failed',
    );
    expect(states).toEqual([
      { component: 'steady', desired_replicas: 2, ready_replicas: 2, state: 'running' },
      { component: 'crasher', desired_replicas: 1, ready_replicas: 0, state: 'failed', message: 'replica 0 exited with code 3' },
    ]);

    await hostNetwork.stopGracefully(spec, 5);
    expect((await hostNetwork.inspect(spec))[0]).toEqual({
      component: 'steady',
      desired_replicas: 2,
      ready_replicas: 0,
      state: 'stopped',
      message: 'replica 0 exited with code 143',
    });
  });
});
