import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { PipelineChanges } from '../../activities/kubernetes/pipeline-changes';
import { managedSelector } from '../../activities/kubernetes/resource-names';
import { SharedWatch } from '../../activities/kubernetes/shared-watch';
import { eventually } from '../../harness/eventually';
import { KubernetesFaultProxy } from '../support/kubernetes-fault-proxy';
import { createTestNamespace, deleteTestNamespace, kwokNodeSelector, testKubeConfig } from '../support/test-kubernetes';

const admin = testKubeConfig();
const core = admin.makeApiClient(CoreV1Api);
let namespace: string;
let proxy: KubernetesFaultProxy;
let watch: SharedWatch<V1Pod>;
const changes = new PipelineChanges();
const PIPELINE = 'watched';

beforeAll(async () => {
  namespace = await createTestNamespace('weir-watch');
  proxy = await KubernetesFaultProxy.start(admin);
  const throughProxy = proxy.kubeConfig.makeApiClient(CoreV1Api);
  watch = new SharedWatch<V1Pod>(proxy.kubeConfig, {
    path: `/api/v1/namespaces/${namespace}/pods`,
    labelSelector: managedSelector(),
    list: () => throughProxy.listNamespacedPod({ namespace, labelSelector: managedSelector() }),
    changes,
    retryDelayMs: 100,
  });
  await watch.ready(30_000);
});

afterAll(async () => {
  watch?.close();
  await proxy?.close();
  await deleteTestNamespace(namespace);
});

async function createPod(name: string): Promise<void> {
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'weir', 'weir.pipeline': PIPELINE } },
      spec: { nodeSelector: kwokNodeSelector(), containers: [{ name: 'main', image: 'busybox:latest' }] },
    },
  });
}

const cachedNames = () =>
  watch
    .objectsOf(PIPELINE)
    .map((pod) => pod.metadata?.name)
    .sort();
const cacheHolds = (names: string[]) =>
  eventually(
    async () => cachedNames(),
    (cached) => JSON.stringify(cached) === JSON.stringify(names),
    30_000,
  );

test('the cache follows creations and deletions, waking waiters of the pipeline', async () => {
  const seen = changes.count(PIPELINE);
  const woken = changes.since(PIPELINE, seen, new AbortController().signal);
  await createPod('first');
  await woken;
  await cacheHolds(['first']);
  await core.deleteNamespacedPod({ name: 'first', namespace, gracePeriodSeconds: 0 });
  await cacheHolds([]);
});

test('after a lost connection the watch resumes where it left off, without listing again', async () => {
  const before = { ...watch.counts };
  proxy.dropWatches();
  await createPod('after-drop');
  await cacheHolds(['after-drop']);
  expect(watch.counts.lists).toBe(before.lists);
  expect(watch.counts.watches).toBeGreaterThan(before.watches);
});

test('after 410 Gone the watch lists again, so changes it could not replay are not lost', async () => {
  const before = { ...watch.counts };
  proxy.expireNext();
  proxy.dropWatches();
  await core.deleteNamespacedPod({ name: 'after-drop', namespace, gracePeriodSeconds: 0 });
  await createPod('after-expiry');
  await cacheHolds(['after-expiry']);
  expect(watch.counts.expired).toBe(before.expired + 1);
  expect(watch.counts.lists).toBe(before.lists + 1);
});
