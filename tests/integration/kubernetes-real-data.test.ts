import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CoreV1Api, KubeConfig, StorageV1Api } from '@kubernetes/client-node';
import { temporal } from '@temporalio/proto';
import { volumeClaimName } from '../../activities/kubernetes/resource-names';
import { REFERENCE_COMPONENT_IMAGE } from '../../component/image';
import { workflowIdFor } from '../../pipeline/names';
import { eventually } from '../../harness/eventually';
import { SINK_FILE, holdConsumer, streamFacts, threeStageComponents } from '../../harness/pipeline-data';
import { WeirSystem } from '../../harness/weir-system';
import { startControlPlane, type ControlPlane } from '../../scripts/kubernetes/control-plane';
import { bindHostFolder } from '../../scripts/kubernetes/host-folder-volume';
import { newPipelineId } from '../support/test-ids';
import { startWorkerProcess } from '../../harness/worker-process';

/** The binaries' own build timeout, plus the start of the plane, its real node and the image import. */
const SETUP_TIMEOUT_MS = 65 * 60 * 1000;
const MESSAGES = 20_000;
const NAMESPACE = 'weir-real';
const STORAGE_CLASS = 'weir-real-local';
const natsUrl = () => process.env.NATS_URL as string;

let plane: ControlPlane;
let core: CoreV1Api;
let weir: WeirSystem;
let kubernetesEnv: Record<string, string>;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  plane = await startControlPlane({ name: 'kubernetes-real-data', realNode: true });
  await plane.realNode!.importDockerImage(REFERENCE_COMPONENT_IMAGE);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(plane.kubeconfigPath);
  core = kubeConfig.makeApiClient(CoreV1Api);
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

/** What the sink file holds of the source's sequence numbers 1..expected. */
async function delivered(dir: string, expected: number) {
  const text = await readFile(path.join(dir, SINK_FILE), 'utf8').catch(() => '');
  const counts = new Map<number, number>();
  for (const line of text.split('\n').filter((entry) => entry.trim() !== '')) {
    const seq = (JSON.parse(line) as { seq: number }).seq;
    counts.set(seq, (counts.get(seq) ?? 0) + 1);
  }
  const duplicates = [...counts.values()].reduce((sum, times) => sum + times - 1, 0);
  const missing = Array.from({ length: expected }, (_, index) => index + 1).filter((seq) => !counts.has(seq)).length;
  return { distinct: counts.size, duplicates, missing };
}

const threeStages = (pipelineId: string) => ({
  pipeline_id: pipelineId,
  name: `Real data ${pipelineId}`,
  components: threeStageComponents(MESSAGES).reverse(),
});

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
  const facts = await eventually(
    async () => ({ accepted: (await streamFacts(natsUrl(), id, 'raw')).accepted, ...(await delivered(dir, MESSAGES)) }),
    (current) => current.accepted === MESSAGES && current.missing === 0,
    180_000,
    500,
  );
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
