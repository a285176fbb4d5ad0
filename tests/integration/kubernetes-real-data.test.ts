import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig, StorageV1Api, Watch, type V1Pod } from '@kubernetes/client-node';
import { temporal } from '@temporalio/proto';
import { volumeClaimName } from '../../activities/kubernetes/resource-names';
import { REFERENCE_COMPONENT_IMAGE } from '../../component/image';
import { workflowIdFor } from '../../pipeline/names';
import { eventually } from '../../harness/eventually';
import { SINK_FILE, holdConsumer, sinkFileDelivery, streamFacts, threeStageComponents } from '../../harness/pipeline-data';
import type { ComponentSpec } from '../../pipeline/pipeline-spec';
import { WeirSystem } from '../../harness/weir-system';
import { startControlPlane, type ControlPlane } from '../../scripts/kubernetes/control-plane';
import { bindHostFolder } from '../../scripts/kubernetes/host-folder-volume';
import { newPipelineId } from '../support/test-ids';
import { ROLLED_OUT_TO_REVISION_2, markedSteps, transitionsOf, untilRunningOn } from '../support/rolling-edit-steps';
import { startWorkerProcess } from '../../harness/worker-process';

/** The binaries' own build timeout, plus the start of the plane, its real node and the image import. */
const SETUP_TIMEOUT_MS = 65 * 60 * 1000;
const MESSAGES = 20_000;
const NAMESPACE = 'weir-real';
const STORAGE_CLASS = 'weir-real-local';
const natsUrl = () => process.env.NATS_URL as string;

let plane: ControlPlane;
let kubeConfig: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;
let weir: WeirSystem;
let kubernetesEnv: Record<string, string>;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  plane = await startControlPlane({ name: 'kubernetes-real-data', realNode: true });
  await plane.realNode!.importDockerImage(REFERENCE_COMPONENT_IMAGE);
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(plane.kubeconfigPath);
  core = kubeConfig.makeApiClient(CoreV1Api);
  apps = kubeConfig.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  await eventually(
    () => core.readNamespacedServiceAccount({ name: 'default', namespace: NAMESPACE }).catch(() => undefined),
    Boolean,
    60_000,
  );
  // Volumes the test binds by hand to each pipeline's claim: a folder on the node, which the test reads afterwards.
  await kubeConfig.makeApiClient(StorageV1Api).createStorageClass({
    body: { metadata: { name: STORAGE_CLASS }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'Immediate' },
  });
  kubernetesEnv = {
    WEIR_ORCHESTRATOR: 'kubernetes',
    KUBECONFIG: plane.kubeconfigPath,
    WEIR_K8S_NAMESPACE: NAMESPACE,
    WEIR_K8S_HOST_NETWORK: 'true',
    WEIR_K8S_NODE_SELECTOR: `kubernetes.io/hostname=${plane.realNode!.name}`,
    WEIR_K8S_IMAGE_PULL_POLICY: 'Never',
    WEIR_K8S_STORAGE_CLASS: STORAGE_CLASS,
    WEIR_K8S_VOLUME_ACCESS_MODE: 'ReadWriteOnce',
    WEIR_STOP_DEADLINE_SECONDS: '120',
    WEIR_READY_TIMEOUT_SECONDS: '120',
  };
  weir = await WeirSystem.start({ env: kubernetesEnv });
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  for (const worker of workers.filter((child) => child.exitCode === null && child.signalCode === null)) {
    worker.kill('SIGKILL');
    await once(worker, 'exit');
  }
  await weir?.close();
  await plane?.stop();
});

/** A folder on the node, bound as the persistent volume of the pipeline's claim. */
async function volumeFor(pipelineId: string): Promise<string> {
  const dir = path.join(plane.workDir, 'volumes', pipelineId);
  await bindHostFolder(core, {
    dir,
    volumeName: `weir-real-${pipelineId}`,
    namespace: NAMESPACE,
    claimName: volumeClaimName(pipelineId),
    storageClass: STORAGE_CLASS,
  });
  return dir;
}

/** What the sink file in the pipeline's volume folder holds of the source's sequence numbers 1..expected. */
async function delivered(dir: string, expected: number) {
  const { distinct, duplicates, missing } = await sinkFileDelivery(path.join(dir, SINK_FILE), expected);
  return { distinct, duplicates, missing: missing.length };
}

const threeStages = (pipelineId: string, change: (component: ComponentSpec) => ComponentSpec = (component) => component) => ({
  pipeline_id: pipelineId,
  name: `Real data ${pipelineId}`,
  components: threeStageComponents(MESSAGES).reverse().map(change),
});

/** The source publishing `perSecond` messages a second, so that they are still flowing while the pipeline changes. */
const pacedSource =
  (perSecond: number) =>
  (component: ComponentSpec): ComponentSpec =>
    component.name === 'source' ? { ...component, env: { ...component.env, SOURCE_RATE: String(perSecond) } } : component;

/** Once every message the source will send is in the first stream and the sink has written each of them. */
async function everyMessageDelivered(id: string, dir: string) {
  return eventually(
    async () => ({ accepted: (await streamFacts(natsUrl(), id, 'raw')).accepted, ...(await delivered(dir, MESSAGES)) }),
    (current) => current.accepted === MESSAGES && current.missing === 0,
    300_000,
    500,
  );
}

async function flowing(id: string, messages: number): Promise<number> {
  const facts = await eventually(
    () => streamFacts(natsUrl(), id, 'raw'),
    (current) => current.accepted >= messages,
    120_000,
    50,
  );
  return facts.accepted;
}

async function removeAndCheck(id: string): Promise<void> {
  await weir.removeCompletely(id);
  expect(Object.values(await weir.leftovers(id)).every((count) => count === 0)).toBe(true);
  expect((await streamFacts(natsUrl(), id, 'raw')).streams).toEqual([]);
}

test('on the real node, a graceful stop with 20,000 messages in flight delivers every one exactly once', async () => {
  const id = newPipelineId('kreal');
  const dir = await volumeFor(id);
  const started = Date.now();
  const created = weir.request('POST', '/api/v1/pipeline', threeStages(id));
  const release = await holdConsumer(natsUrl(), id, 'raw', 'transform');
  expect((await created).status).toBe(201);
  await weir.healthReaches(id, 'Running', 180_000);
  const running = Date.now() - started;
  await eventually(
    () => streamFacts(natsUrl(), id, 'raw'),
    (facts) => facts.accepted === MESSAGES,
    120_000,
    50,
  );
  const atStop = (await delivered(dir, MESSAGES)).distinct;

  const stopAt = Date.now();
  expect((await weir.request('POST', `/api/v1/pipeline/${id}/stop`)).status).toBe(204);
  await eventually(
    () => weir.request('GET', `/api/v1/pipeline/${id}/health`),
    (health) =>
      health.body.components.some((component: { unfinished_messages: number | null }) => (component.unfinished_messages ?? 0) >= MESSAGES),
    60_000,
    50,
  );
  await release();
  await weir.healthReaches(id, 'Stopped', 180_000);
  const drained = Date.now() - stopAt;

  const facts = await delivered(dir, MESSAGES);
  console.log(
    `real node: create→Running ${running} ms; drain of ${MESSAGES} held messages ${drained} ms; delivered ${facts.distinct}, ${facts.duplicates} duplicates`,
  );
  expect(atStop).toBe(0);
  expect(facts).toEqual({ distinct: MESSAGES, duplicates: 0, missing: 0 });
  expect((await weir.request('GET', `/api/v1/pipeline/${id}/history`)).body.transitions.map((t: { to: string }) => t.to)).toEqual([
    'Running',
    'Stopping',
    'Stopped',
  ]);
  await removeAndCheck(id);
});

test('on the real node, terminate then resume loses nothing', async () => {
  const id = newPipelineId('kreal');
  const dir = await volumeFor(id);
  expect((await weir.request('POST', '/api/v1/pipeline', threeStages(id))).status).toBe(201);
  await weir.healthReaches(id, 'Running', 180_000);
  expect((await weir.request('POST', `/api/v1/pipeline/${id}/terminate`)).status).toBe(204);
  await weir.healthReaches(id, 'Stopped', 60_000);
  expect((await weir.request('POST', `/api/v1/pipeline/${id}/resume`)).status).toBe(204);
  await weir.healthReaches(id, 'Running', 180_000);
  const facts = await everyMessageDelivered(id, dir);
  console.log(`real node, terminate then resume: ${facts.distinct} distinct of ${MESSAGES}, ${facts.duplicates} duplicates`);
  expect(facts.distinct).toBe(MESSAGES);
  await removeAndCheck(id);
});

/** Only a worker process serves the pipeline, so the test can SIGKILL it; resolves to the process. */
async function onlyAWorkerProcess(): Promise<ChildProcess> {
  await weir.stopWorker();
  const worker = await startWorkerProcess(kubernetesEnv);
  workers.push(worker);
  return worker;
}

async function activityStarted(id: string, activity: string): Promise<void> {
  const { PENDING_ACTIVITY_STATE_STARTED } = temporal.api.enums.v1.PendingActivityState;
  await eventually(
    () => weir.client.workflow.getHandle(workflowIdFor(id)).describe(),
    ({ raw }) =>
      raw.pendingActivities?.some(
        (pending) => pending.activityType?.name === activity && pending.state === PENDING_ACTIVITY_STATE_STARTED,
      ) ?? false,
    60_000,
    10,
  );
}

test('on the real node, a worker SIGKILLed mid-deploy is replaced and the pipeline converges to Running', async () => {
  const id = newPipelineId('kreal');
  await volumeFor(id);
  const doomed = await onlyAWorkerProcess();
  try {
    expect((await weir.request('POST', '/api/v1/pipeline', threeStages(id))).status).toBe(201);
    await activityStarted(id, 'waitForPipelineReady');
    doomed.kill('SIGKILL');
  } finally {
    doomed.kill('SIGKILL');
    await weir.startWorker();
  }
  await weir.healthReaches(id, 'Running', 180_000);
  // Health shows the components once the watch of the Running pipeline has reported.
  const watched = await eventually(
    () => weir.request('GET', `/api/v1/pipeline/${id}/health`),
    (health) => health.body.components.every((component: { state: string }) => component.state === 'running'),
    30_000,
  );
  expect(watched.body.components.map((component: { ready_replicas: number }) => component.ready_replicas)).toEqual([1, 1, 1]);
  expect(await weir.leftovers(id)).toEqual({ deployments: 3, replica_sets: 3, pods: 3, secrets: 1, volume_claims: 1 });
  expect((await weir.request('GET', `/api/v1/pipeline/${id}/history`)).body.transitions.map((t: { to: string }) => t.to)).toEqual([
    'Running',
  ]);
  await removeAndCheck(id);
});

test('on the real node, a worker SIGKILLed mid-drain is replaced, the stop finishes and nothing is lost', async () => {
  const id = newPipelineId('kreal');
  const dir = await volumeFor(id);
  const doomed = await onlyAWorkerProcess();
  try {
    const created = weir.request('POST', '/api/v1/pipeline', threeStages(id));
    const release = await holdConsumer(natsUrl(), id, 'raw', 'transform');
    expect((await created).status).toBe(201);
    await weir.healthReaches(id, 'Running', 180_000);
    await eventually(
      () => streamFacts(natsUrl(), id, 'raw'),
      (facts) => facts.accepted === MESSAGES,
      120_000,
      50,
    );
    expect((await weir.request('POST', `/api/v1/pipeline/${id}/stop`)).status).toBe(204);
    await activityStarted(id, 'drainPipeline');
    await eventually(
      () => weir.request('GET', `/api/v1/pipeline/${id}/health`),
      (health) =>
        health.body.components.some((component: { unfinished_messages: number | null }) => (component.unfinished_messages ?? 0) > 0),
      60_000,
      50,
    );
    doomed.kill('SIGKILL');
    await release();
  } finally {
    doomed.kill('SIGKILL');
    await weir.startWorker();
  }
  await weir.healthReaches(id, 'Stopped', 180_000);
  const facts = await delivered(dir, MESSAGES);
  console.log(`real node, worker killed mid-drain: delivered ${facts.distinct} of ${MESSAGES}, ${facts.duplicates} duplicates`);
  expect(facts).toMatchObject({ distinct: MESSAGES, missing: 0 });
  expect((await weir.request('GET', `/api/v1/pipeline/${id}/history`)).body.transitions.map((t: { to: string }) => t.to)).toEqual([
    'Running',
    'Stopping',
    'Stopped',
  ]);
  await removeAndCheck(id);
});

/** The ReplicaSet of each component whose pods run, by component: a rollout of new pods makes a new one. */
async function currentReplicaSets(id: string): Promise<Record<string, string>> {
  const sets = await apps.listNamespacedReplicaSet({ namespace: NAMESPACE, labelSelector: `weir.pipeline=${id}` });
  const current = sets.items.filter((set) => (set.spec?.replicas ?? 0) > 0);
  return Object.fromEntries(current.map((set) => [set.metadata?.labels?.['weir.component'] as string, set.metadata?.name as string]));
}

test('on the real node, a rolling edit of the transform env under load delivers all 20,000; only the transform rolls out', async () => {
  const id = newPipelineId('kroll');
  const dir = await volumeFor(id);
  const spec = threeStages(id, pacedSource(2000));
  expect((await weir.request('POST', '/api/v1/pipeline', spec)).status).toBe(201);
  await weir.healthReaches(id, 'Running', 180_000);
  const before = await currentReplicaSets(id);
  await flowing(id, 2000);

  const edited = {
    ...spec,
    components: spec.components.map((component) =>
      component.name === 'transform' ? { ...component, env: { ...component.env, EDIT_MARK: 'two' } } : component,
    ),
  };
  const startedAt = Date.now();
  const answer = await weir.request('PUT', `/api/v1/pipeline/${id}?apply=rolling`, edited, { 'X-Request-Id': 'rolling-1' });
  const inFlight = MESSAGES - (await delivered(dir, MESSAGES)).distinct;
  expect([answer.status, answer.body.overall_status, answer.body.rolling_edit]).toEqual([202, 'Stopping', 2]);
  await untilRunningOn(weir, id, 2, 300_000);
  const rolledMs = Date.now() - startedAt;

  const facts = await everyMessageDelivered(id, dir);
  console.log(
    `real node, rolling edit under load: ${inFlight} of ${MESSAGES} not yet at the sink at the edit, Running on revision 2 after ` +
      `${rolledMs} ms; delivered ${facts.distinct}, 0 lost, ${facts.duplicates} duplicates`,
  );
  expect(inFlight).toBeGreaterThan(0);
  expect(facts).toMatchObject({ distinct: MESSAGES, missing: 0 });

  const after = await currentReplicaSets(id);
  expect([after.source, after.sink]).toEqual([before.source, before.sink]);
  expect(after.transform).not.toBe(before.transform);
  const transform = await apps.readNamespacedDeployment({ name: `weir-${id}-transform`, namespace: NAMESPACE });
  expect(transform.spec?.template.spec?.containers[0].env).toContainEqual({ name: 'EDIT_MARK', value: 'two' });
  expect(markedSteps(await transitionsOf(weir, id))).toEqual(ROLLED_OUT_TO_REVISION_2);
  await removeAndCheck(id);
}, 600_000);

/** The exit code of each transform pod's container as the pod ends, by pod name, from a watch of the pipeline's pods. */
async function recordTransformExits(id: string): Promise<{ exits: Map<string, number>; close: () => void }> {
  const exits = new Map<string, number>();
  const request = await new Watch(kubeConfig).watch(
    `/api/v1/namespaces/${NAMESPACE}/pods`,
    { labelSelector: `weir.pipeline=${id},weir.component=transform` },
    (_phase: string, pod: V1Pod) => {
      const terminated = pod.status?.containerStatuses?.[0]?.state?.terminated;
      if (terminated) exits.set(pod.metadata?.name as string, terminated.exitCode);
    },
    () => undefined,
  );
  return { exits, close: () => request.abort() };
}

async function runningTransformPods(id: string): Promise<string[]> {
  const pods = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: `weir.pipeline=${id},weir.component=transform` });
  return pods.items
    .filter((pod) => pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp)
    .map((pod) => pod.metadata?.name as string)
    .sort();
}

async function scaleTransform(id: string, replicas: number) {
  const accepted = (await streamFacts(natsUrl(), id, 'raw')).accepted;
  const startedAt = Date.now();
  const answer = await weir.request('PATCH', `/api/v1/pipeline/${id}/components/transform`, { replicas });
  expect([answer.status, answer.body.overall_status]).toEqual([200, 'Running']);
  const pods = await eventually(
    () => runningTransformPods(id),
    (running) => running.length === replicas,
    120_000,
    100,
  );
  return { accepted, pods, ms: Date.now() - startedAt };
}

test('on the real node, scaling the transform 3→1 and 1→3 while 20,000 messages flow loses none; the removed pods end gracefully', async () => {
  const id = newPipelineId('kscale');
  const dir = await volumeFor(id);
  const threeTransforms = (component: ComponentSpec) => (component.name === 'transform' ? { ...component, replicas: 3 } : component);
  const spec = threeStages(id, (component) => threeTransforms(pacedSource(500)(component)));
  expect((await weir.request('POST', '/api/v1/pipeline', spec)).status).toBe(201);
  await weir.healthReaches(id, 'Running', 180_000);
  const atThree = await runningTransformPods(id);
  const dying = await recordTransformExits(id);
  try {
    await flowing(id, MESSAGES / 5);
    const down = await scaleTransform(id, 1);
    const up = await scaleTransform(id, 3);
    console.log(
      `real node, live scale under load: 3→1 at ${down.accepted} of ${MESSAGES} published took ${down.ms} ms; ` +
        `1→3 at ${up.accepted} took ${up.ms} ms`,
    );
    expect(up.accepted).toBeLessThan(MESSAGES);

    const facts = await everyMessageDelivered(id, dir);
    console.log(`real node, live scale under load: delivered ${facts.distinct} of ${MESSAGES}, 0 lost, ${facts.duplicates} duplicates`);
    expect(facts).toMatchObject({ distinct: MESSAGES, missing: 0 });
    // Each removed pod finished what it held and exited on SIGTERM, before the grace period ran out.
    const removed = atThree.filter((pod) => !down.pods.includes(pod));
    expect(removed).toHaveLength(2);
    await eventually(
      async () => removed.map((pod) => dying.exits.get(pod)),
      (codes) => codes.every((code) => code !== undefined),
      30_000,
    );
    expect(removed.map((pod) => dying.exits.get(pod))).toEqual([0, 0]);
  } finally {
    dying.close();
  }
  const health = (await weir.request('GET', `/api/v1/pipeline/${id}/health`)).body;
  expect(health.overall_status).toBe('Running');
  expect(health.components.find((c: { name: string }) => c.name === 'transform')).toMatchObject({ desired_replicas: 3, ready_replicas: 3 });
  expect((await transitionsOf(weir, id)).map(({ command, to }) => `${command ?? '-'}→${to}`)).toEqual([
    '-→Running',
    'scale→Running',
    'scale→Running',
  ]);
  expect((await streamFacts(natsUrl(), id, 'raw')).held).toBe(0);
  await removeAndCheck(id);
}, 600_000);
