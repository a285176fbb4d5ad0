import { randomBytes } from 'node:crypto';
import { withSecretValues, withWeirEnv } from '../../activities/component-env';
import { componentFingerprint } from '../../activities/component-fingerprint';
import { ComponentFailedError, ImageUnavailableError } from '../../activities/errors';
import { KubernetesOrchestrator, type KubernetesOrchestratorOptions } from '../../activities/kubernetes-orchestrator';
import { SecretDirectory } from '../../secret-directory';
import type { ComponentState } from '../../pipeline/heartbeat-details';
import type { ComponentSpec, PipelineSpec } from '../../pipeline/pipeline-spec';
import type { RunnableSpec } from '../../activities/runnable-spec';
import { eventually } from '../../harness/eventually';
import { kwokFailureMarks } from '../../scripts/kubernetes/kwok-failure';
import {
  PipelineObjects,
  createTestNamespace,
  deleteTestNamespace,
  kwokNodeSelector,
  mergePatch,
  testKubeConfig,
} from '../support/test-kubernetes';

const kubeConfig = testKubeConfig();
let namespace: string;
let objects: PipelineObjects;
let orchestrator: KubernetesOrchestrator;
const orchestrators: KubernetesOrchestrator[] = [];
const deployed: string[] = [];

function newOrchestrator(options: Partial<KubernetesOrchestratorOptions> = {}): KubernetesOrchestrator {
  const created = new KubernetesOrchestrator(kubeConfig, {
    namespace,
    hostNetwork: false,
    nodeSelector: kwokNodeSelector(),
    imagePullPolicy: 'IfNotPresent',
    graceSeconds: 7,
    progressDeadlineSeconds: 600,
    notReadySeconds: 60,
    pollIntervalMs: 1000,
    ...options,
  });
  orchestrators.push(created);
  return created;
}

beforeAll(async () => {
  namespace = await createTestNamespace('weir-orch');
  objects = new PipelineObjects(namespace);
  orchestrator = newOrchestrator();
});

afterEach(async () => {
  await Promise.all(deployed.splice(0).map((pipelineId) => orchestrator.remove(pipelineId)));
});

afterAll(async () => {
  orchestrators.forEach((created) => created.close());
  await deleteTestNamespace(namespace);
});

function pipelineOf(...components: Array<Pick<ComponentSpec, 'name'> & Partial<ComponentSpec>>): PipelineSpec {
  const pipelineId = `k-${randomBytes(4).toString('hex')}`;
  deployed.push(pipelineId);
  return {
    pipeline_id: pipelineId,
    name: pipelineId,
    components: components.map((component) => ({ image: 'busybox:latest', command: ['sleep', '3600'], replicas: 1, ...component })),
  };
}

const never = () => new AbortController().signal;

async function deployAndWait(spec: RunnableSpec, using = orchestrator): Promise<void> {
  await using.deploy(spec);
  await using.waitUntilReady(spec, { signal: never(), onProgress: () => {} });
}

/** Starts a watch of a running pipeline; `ended` settles with the error that ended it. */
async function watchOf(spec: PipelineSpec, using = orchestrator): Promise<{ ended: Promise<unknown>; states: ComponentState[][] }> {
  await deployAndWait(spec, using);
  const states: ComponentState[][] = [];
  let looked: () => void = () => {};
  const firstLook = new Promise<void>((resolve) => (looked = resolve));
  const ended = using
    .watch(spec, {
      signal: never(),
      onProgress: (reported) => {
        states.push(reported);
        looked();
      },
    })
    .then(
      () => new Error('the watch returned without a failure'),
      (error: unknown) => error,
    );
  await firstLook;
  return { ended, states };
}

describe('KubernetesOrchestrator', () => {
  test('deploy makes a labelled Deployment per component with a restricted pod, and the secret values in one Secret', async () => {
    const spec = pipelineOf(
      { name: 'source', replicas: 2, env: { GREETING: 'hello' }, secret_env: { TOKEN: 'api-token' } },
      { name: 'sink' },
    );
    const id = spec.pipeline_id;
    const secrets = {
      read: async (name: string) => (name === 'api-token' ? 's3cret-value' : undefined),
      dir: '/secrets',
    } as SecretDirectory;
    const runnable = withWeirEnv(await withSecretValues(spec, secrets), 'nats://127.0.0.1:4222');

    await deployAndWait(runnable);

    const { items } = await objects.apps.listNamespacedDeployment({ namespace, labelSelector: `weir.pipeline=${id}` });
    expect(items.map((deployment) => deployment.metadata?.name).sort()).toEqual([`weir-${id}-sink`, `weir-${id}-source`]);
    const source = items.find((deployment) => deployment.metadata?.name === `weir-${id}-source`)!;
    expect(source.metadata?.labels).toEqual({ 'app.kubernetes.io/managed-by': 'weir', 'weir.pipeline': id, 'weir.component': 'source' });
    expect(source.spec?.replicas).toBe(2);
    const pod = source.spec!.template.spec!;
    expect(pod).toMatchObject({
      terminationGracePeriodSeconds: 7,
      automountServiceAccountToken: false,
      nodeSelector: kwokNodeSelector(),
      securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      volumes: [{ name: 'weir-data', emptyDir: {} }],
    });
    expect([pod.hostNetwork, pod.hostPID, pod.hostIPC].map(Boolean)).toEqual([false, false, false]);
    const [container] = pod.containers;
    expect(container).toMatchObject({
      image: 'busybox:latest',
      args: ['sleep', '3600'],
      volumeMounts: [{ name: 'weir-data', mountPath: '/weir-data' }],
      securityContext: {
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
    });
    expect(container.command).toBeUndefined();
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'GREETING', value: 'hello' },
        { name: 'WEIR_PIPELINE_ID', value: id },
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: `weir-${id}`, key: 'source.TOKEN' } } },
      ]),
    );
    expect(JSON.stringify(source)).not.toContain('s3cret-value');
    const secret = await objects.core.readNamespacedSecret({ name: `weir-${id}`, namespace });
    expect(secret.metadata?.labels).toMatchObject({ 'weir.pipeline': id });
    expect(Buffer.from(secret.data!['source.TOKEN'], 'base64').toString()).toBe('s3cret-value');
    expect(await orchestrator.inspect(spec)).toEqual([
      expect.objectContaining({
        component: 'source',
        desired_replicas: 2,
        ready_replicas: 2,
        state: 'running',
        message: expect.stringMatching(/^pod weir-.*: Running, ready, 0 restarts; pod/),
      }),
      expect.objectContaining({ component: 'sink', desired_replicas: 1, ready_replicas: 1, state: 'running' }),
    ]);
  });

  test('deploy is idempotent, also when deploys from separate orchestrators race', async () => {
    const spec = pipelineOf({ name: 'source', replicas: 2 });
    const other = newOrchestrator();
    await Promise.all([orchestrator.deploy(spec), other.deploy(spec), other.deploy(spec)]);
    const first = await objects.apps.readNamespacedDeployment({ name: `weir-${spec.pipeline_id}-source`, namespace });
    await orchestrator.deploy(spec);
    const again = await objects.apps.readNamespacedDeployment({ name: `weir-${spec.pipeline_id}-source`, namespace });
    expect([again.metadata?.uid, again.metadata?.generation]).toEqual([first.metadata?.uid, first.metadata?.generation]);
    await orchestrator.waitUntilReady(spec, { signal: never(), onProgress: () => {} });
    expect(await objects.pods(spec.pipeline_id)).toHaveLength(2);
  });

  test('deploy never takes over a Deployment of another pipeline whose name collides', async () => {
    const first = pipelineOf({ name: 'b-0' });
    await orchestrator.deploy(first);
    const second: PipelineSpec = { ...pipelineOf({ name: '0' }), pipeline_id: `${first.pipeline_id}-b` };
    deployed.push(second.pipeline_id);
    await expect(orchestrator.deploy(second)).rejects.toMatchObject({ type: 'DeploymentNameTaken', retryable: false, component: '0' });
    const taken = await objects.apps.readNamespacedDeployment({ name: `weir-${first.pipeline_id}-b-0`, namespace });
    expect(taken.metadata?.labels?.['weir.pipeline']).toBe(first.pipeline_id);
  });

  test('stopGracefully scales only the named components to 0 and waits for their pods; kill and startAgain bring all back', async () => {
    const spec = pipelineOf({ name: 'source', replicas: 2 }, { name: 'sink' });
    await deployAndWait(spec);

    await orchestrator.stopGracefully(spec, 5, ['source']);
    await orchestrator.stopGracefully(spec, 5, ['source']);
    expect(await objects.replicaCounts(spec.pipeline_id)).toEqual({ source: { desired: 0, ready: 0 }, sink: { desired: 1, ready: 1 } });
    expect((await orchestrator.inspect(spec)).map(({ state }) => state)).toEqual(['stopped', 'running']);

    await orchestrator.kill(spec);
    await orchestrator.kill(spec);
    expect(await objects.pods(spec.pipeline_id)).toEqual([]);
    expect((await orchestrator.inspect(spec)).map(({ state }) => state)).toEqual(['stopped', 'stopped']);

    await orchestrator.startAgain(spec);
    await orchestrator.waitUntilReady(spec, { signal: never(), onProgress: () => {} });
    expect(await objects.replicaCounts(spec.pipeline_id)).toEqual({ source: { desired: 2, ready: 2 }, sink: { desired: 1, ready: 1 } });
  });

  test('startAgain after an edit converges as on Docker: removed Deployments go, changed ones roll out new pods, the rest keep theirs', async () => {
    const spec = pipelineOf({ name: 'kept' }, { name: 'changed', env: { MODE: 'one' } }, { name: 'removed', replicas: 2 });
    await deployAndWait(spec);
    /** Per component: its Deployment's uid, its pod template's spec-hash, and the pod-template-hash of its pods. */
    const observed = async () => {
      const { items } = await objects.apps.listNamespacedDeployment({ namespace, labelSelector: `weir.pipeline=${spec.pipeline_id}` });
      const pods = await objects.pods(spec.pipeline_id);
      return Object.fromEntries(
        items.map((deployment) => {
          const component = deployment.metadata!.labels!['weir.component'];
          const hashes = pods.filter((pod) => pod.metadata?.labels?.['weir.component'] === component);
          return [
            component,
            {
              uid: deployment.metadata!.uid,
              specHash: deployment.spec!.template.metadata!.annotations!['weir.spec-hash'],
              podTemplates: [...new Set(hashes.map((pod) => pod.metadata!.labels!['pod-template-hash']))],
            },
          ];
        }),
      );
    };
    const before = await observed();
    expect(before.changed.specHash).toBe(componentFingerprint(spec.components[1]));

    await orchestrator.stopGracefully(spec, 5);
    const edited: PipelineSpec = {
      ...spec,
      components: [spec.components[0], { ...spec.components[1], env: { MODE: 'two' } }, { ...spec.components[0], name: 'added' }],
    };
    await orchestrator.startAgain(edited);
    await orchestrator.startAgain(edited);
    await orchestrator.waitUntilReady(edited, { signal: never(), onProgress: () => {} });
    const after = await eventually(observed, (current) => !('removed' in current) && current.changed.podTemplates.length === 1);

    expect(Object.keys(after).sort()).toEqual(['added', 'changed', 'kept']);
    expect(after.kept).toEqual(before.kept);
    expect(after.changed.uid).toBe(before.changed.uid);
    expect(after.changed.specHash).toBe(componentFingerprint(edited.components[1]));
    expect(after.changed.podTemplates).not.toEqual(before.changed.podTemplates);
    expect(await objects.pods(spec.pipeline_id, 'removed')).toEqual([]);
    expect(await objects.replicaCounts(spec.pipeline_id)).toEqual({
      kept: { desired: 1, ready: 1 },
      changed: { desired: 1, ready: 1 },
      added: { desired: 1, ready: 1 },
    });
  });

  test('remove deletes the Deployments, their ReplicaSets and pods, and the Secret, and can be repeated', async () => {
    const spec = pipelineOf({ name: 'source', replicas: 2 });
    await deployAndWait(spec);
    await orchestrator.remove(spec.pipeline_id);
    await orchestrator.remove(spec.pipeline_id);
    const query = { namespace, labelSelector: `weir.pipeline=${spec.pipeline_id}` };
    const lists = await Promise.all([
      objects.apps.listNamespacedDeployment(query),
      objects.apps.listNamespacedReplicaSet(query),
      objects.core.listNamespacedPod(query),
      objects.core.listNamespacedSecret(query),
    ]);
    expect(lists.map((list) => list.items.length)).toEqual([0, 0, 0, 0]);
    expect((await orchestrator.inspect(spec)).map(({ state }) => state)).toEqual(['missing']);
  });

  test('with a storage class, a pipeline gets one volume claim, mounted by every pod at /weir-data and removed with it', async () => {
    const claiming = newOrchestrator({ volume: { storageClass: 'weir-test', size: '2Gi', accessMode: 'ReadWriteOnce' } });
    const spec = pipelineOf({ name: 'source' }, { name: 'sink' });
    await claiming.deploy(spec);
    await claiming.deploy(spec);
    const claim = await objects.core.readNamespacedPersistentVolumeClaim({ name: `weir-${spec.pipeline_id}-data`, namespace });
    expect(claim.metadata?.labels).toMatchObject({ 'weir.pipeline': spec.pipeline_id });
    expect(claim.spec).toMatchObject({
      storageClassName: 'weir-test',
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '2Gi' } },
    });
    const sink = await objects.apps.readNamespacedDeployment({ name: `weir-${spec.pipeline_id}-sink`, namespace });
    expect(sink.spec?.template.spec?.volumes).toEqual([
      { name: 'weir-data', persistentVolumeClaim: { claimName: `weir-${spec.pipeline_id}-data` } },
    ]);
    await claiming.remove(spec.pipeline_id);
    const claims = await objects.core.listNamespacedPersistentVolumeClaim({
      namespace,
      labelSelector: `weir.pipeline=${spec.pipeline_id}`,
    });
    expect(claims.items).toEqual([]);
  });

  test('waitUntilReady fails at once, without retries, when an image cannot be pulled', async () => {
    const spec = pipelineOf({ name: 'ghost', image: 'weir-test/does-not-exist:1' });
    await orchestrator.deploy(spec);
    const [pod] = await objects.runningPods(spec.pipeline_id, 'ghost');
    // kwok starts every pod; a kubelet that cannot pull reports it like this.
    await objects.patchPodStatus(pod, {
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [
        {
          name: 'ghost',
          image: 'weir-test/does-not-exist:1',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ErrImagePull', message: 'pull access denied' } },
        },
      ],
    });
    // The pod was Ready before the patch: wait until the shared watch has seen it.
    await eventually(
      () => orchestrator.inspect(spec),
      ([ghost]) => ghost.state === 'failed',
    );
    const error = await orchestrator.waitUntilReady(spec, { signal: never(), onProgress: () => {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImageUnavailableError);
    expect(error).toMatchObject({ component: 'ghost', retryable: false });
    expect((error as Error).message).toBe(
      'image weir-test/does-not-exist:1 is not available locally and could not be pulled: ErrImagePull: "pull access denied"',
    );
  });

  test('waitUntilReady fails with ProgressDeadlineExceeded when pods can never be scheduled', async () => {
    const stuck = newOrchestrator({ nodeSelector: { type: 'no-such-node' }, progressDeadlineSeconds: 2 });
    const spec = pipelineOf({ name: 'unplaceable' });
    await stuck.deploy(spec);
    const error = await stuck.waitUntilReady(spec, { signal: never(), onProgress: () => {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ComponentFailedError);
    expect(error).toMatchObject({ component: 'unplaceable', reason: 'ProgressDeadlineExceeded', retryable: false });
  });

  describe('watch fails a running pipeline, naming the component and the reason', () => {
    const failingContainer = (name: string, extra: object) => ({ name, image: 'busybox:latest', imageID: '', ready: false, ...extra });

    test("OOMKilled, from kwok's failure stage", async () => {
      const spec = pipelineOf({ name: 'steady' }, { name: 'hog' });
      const { ended } = await watchOf(spec);
      const [pod] = await objects.runningPods(spec.pipeline_id, 'hog');
      await objects.patchPodMetadata(pod, kwokFailureMarks('OOMKilled', 137));
      expect(await ended).toMatchObject({
        component: 'hog',
        reason: 'OOMKilled',
        message: expect.stringContaining('ran out of memory (exit code 137)'),
      });
    });

    test("pod phase Failed, from kwok's failure stage", async () => {
      const spec = pipelineOf({ name: 'crasher' });
      const { ended } = await watchOf(spec);
      const [pod] = await objects.runningPods(spec.pipeline_id, 'crasher');
      await objects.patchPodMetadata(pod, kwokFailureMarks('Error', 3));
      expect(await ended).toMatchObject({
        component: 'crasher',
        reason: 'PodFailed',
        message: expect.stringContaining('exit code 3 (Error)'),
      });
    });

    test('CrashLoopBackOff, from a status patch', async () => {
      const spec = pipelineOf({ name: 'looper' });
      const { ended } = await watchOf(spec);
      const [pod] = await objects.runningPods(spec.pipeline_id, 'looper');
      await objects.patchPodStatus(pod, {
        conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: new Date().toISOString() }],
        containerStatuses: [
          failingContainer('looper', {
            restartCount: 4,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } },
            lastState: {
              terminated: { exitCode: 2, reason: 'Error', startedAt: new Date().toISOString(), finishedAt: new Date().toISOString() },
            },
          }),
        ],
      });
      expect(await ended).toMatchObject({
        component: 'looper',
        reason: 'CrashLoopBackOff',
        message: expect.stringContaining('CrashLoopBackOff after 4 restarts; last exit code 2 (Error)'),
      });
    });

    test('a restart count that grows, from a status patch', async () => {
      const spec = pipelineOf({ name: 'restarter' });
      const { ended } = await watchOf(spec);
      const [pod] = await objects.runningPods(spec.pipeline_id, 'restarter');
      await objects.patchPodStatus(pod, {
        containerStatuses: [
          failingContainer('restarter', {
            ready: true,
            restartCount: 1,
            state: { running: { startedAt: new Date().toISOString() } },
            lastState: {
              terminated: { exitCode: 1, reason: 'Error', startedAt: new Date().toISOString(), finishedAt: new Date().toISOString() },
            },
          }),
        ],
      });
      expect(await ended).toMatchObject({
        component: 'restarter',
        reason: 'Restarted',
        message: expect.stringContaining('restarted 1 times; last exit code 1'),
      });
    });

    test('Ready=False for longer than the threshold, and not before', async () => {
      const patient = newOrchestrator({ notReadySeconds: 3 });
      const spec = pipelineOf({ name: 'sluggish' });
      const { ended, states } = await watchOf(spec, patient);
      const [pod] = await objects.runningPods(spec.pipeline_id, 'sluggish');
      const since = Date.now();
      await objects.patchPodStatus(pod, {
        conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: new Date(since).toISOString() }],
      });
      const error = await ended;
      // The API server keeps transition times to the second.
      expect(Date.now() - since).toBeGreaterThanOrEqual(2000);
      expect(error).toMatchObject({
        component: 'sluggish',
        reason: 'NotReady',
        message: expect.stringMatching(/has not been Ready for \d+ s$/),
      });
      expect(states.some((reported) => reported[0].state === 'starting')).toBe(true);
    });

    test('ErrImagePull, from a status patch', async () => {
      const spec = pipelineOf({ name: 'puller' });
      const { ended } = await watchOf(spec);
      const [pod] = await objects.runningPods(spec.pipeline_id, 'puller');
      await objects.patchPodStatus(pod, {
        containerStatuses: [failingContainer('puller', { restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } })],
      });
      const error = await ended;
      expect(error).toBeInstanceOf(ImageUnavailableError);
      expect(error).toMatchObject({ component: 'puller', retryable: false });
    });

    test('ProgressDeadlineExceeded, after a rollout that cannot be scheduled', async () => {
      const spec = pipelineOf({ name: 'rolled' });
      const { ended } = await watchOf(spec);
      const name = `weir-${spec.pipeline_id}-rolled`;
      await objects.apps.patchNamespacedDeployment(
        { name, namespace, body: { spec: { progressDeadlineSeconds: 2, template: { spec: { nodeSelector: { type: 'no-such-node' } } } } } },
        mergePatch,
      );
      expect(await ended).toMatchObject({ component: 'rolled', reason: 'ProgressDeadlineExceeded' });
    });

    test('a Deployment that disappears', async () => {
      const spec = pipelineOf({ name: 'vanishing' });
      const { ended } = await watchOf(spec);
      await objects.apps.deleteNamespacedDeployment({ name: `weir-${spec.pipeline_id}-vanishing`, namespace });
      expect(await ended).toMatchObject({ component: 'vanishing', reason: 'DeploymentMissing' });
    });
  });

  test('one shared watch of pods and one of Deployments serve every pipeline', async () => {
    const counting = newOrchestrator();
    const specs = [pipelineOf({ name: 'a' }), pipelineOf({ name: 'b' }), pipelineOf({ name: 'c' })];
    await Promise.all(specs.map((spec) => deployAndWait(spec, counting)));
    const counts = counting.watchCounts();
    expect([counts.pods.lists, counts.deployments.lists]).toEqual([1, 1]);
    expect([counts.pods.watches, counts.deployments.watches]).toEqual([1, 1]);
    await eventually(
      async () => objects.pods(specs[2].pipeline_id),
      (pods) => pods.length === 1,
    );
  });
});
