import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { withSecretValues } from '../../activities/component-env';
import { kubernetesStatusOf } from '../../activities/kubernetes/api-errors';
import { checkKubernetes } from '../../activities/kubernetes/kubernetes-connection';
import { KubernetesOrchestrator } from '../../activities/kubernetes-orchestrator';
import type { SecretDirectory } from '../../secret-directory';
import type { PipelineSpec } from '../../pipeline/pipeline-spec';
import { eventually } from '../../harness/eventually';
import { applyManifests, kubeConfigWithToken } from '../../harness/manifests';
import { kwokNodeSelector, testKubeConfig } from '../support/test-kubernetes';

const NAMESPACE = 'weir';
const admin = testKubeConfig();
const adminCore = admin.makeApiClient(CoreV1Api);
let worker: KubeConfig;
let orchestrator: KubernetesOrchestrator;

beforeAll(async () => {
  await applyManifests(admin, ['namespace.yaml', 'service-accounts.yaml', 'rbac.yaml']);
  // The worker's token, as the kubelet would mount it in the worker's pod.
  const request = await adminCore.createNamespacedServiceAccountToken({
    name: 'weir-worker',
    namespace: NAMESPACE,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  worker = kubeConfigWithToken(admin, request.status!.token);
  await eventually(
    () => adminCore.readNamespacedServiceAccount({ name: 'default', namespace: NAMESPACE }).catch(() => undefined),
    Boolean,
    30_000,
  );
  orchestrator = new KubernetesOrchestrator(worker, {
    namespace: NAMESPACE,
    hostNetwork: false,
    nodeSelector: kwokNodeSelector(),
    imagePullPolicy: 'IfNotPresent',
    graceSeconds: 5,
    progressDeadlineSeconds: 600,
    notReadySeconds: 60,
  });
});

afterAll(async () => {
  orchestrator?.close();
  await adminCore.deleteNamespace({ name: NAMESPACE });
});

async function statusOf(call: Promise<unknown>): Promise<number | undefined> {
  return call.then(
    () => 200,
    (error: unknown) => kubernetesStatusOf(error),
  );
}

test("with the Role of deploy/kubernetes, the worker's service account runs the whole lifecycle in Weir's namespace", async () => {
  await checkKubernetes(worker, NAMESPACE);
  const spec: PipelineSpec = {
    pipeline_id: 'rbac-check',
    name: 'RBAC check',
    components: [
      { name: 'source', image: 'busybox:latest', command: ['sleep', '3600'], replicas: 2, secret_env: { TOKEN: 'token' } },
      { name: 'sink', image: 'busybox:latest', command: ['sleep', '3600'], replicas: 1 },
    ],
  };
  const secrets = { dir: '/secrets', read: async () => 'a-secret-value' } as unknown as SecretDirectory;
  const runnable = await withSecretValues(spec, secrets);
  const options = { signal: new AbortController().signal, onProgress: () => {} };

  // The namespace enforces the restricted Pod Security Standard, so these pods are admitted only if they meet it.
  await orchestrator.deploy(runnable);
  await orchestrator.waitUntilReady(spec, options);
  await orchestrator.stopGracefully(spec, 5, ['source']);
  await orchestrator.kill(spec);
  expect((await orchestrator.inspect(spec)).map(({ state }) => state)).toEqual(['stopped', 'stopped']);
  await orchestrator.startAgain(runnable);
  await orchestrator.waitUntilReady(spec, options);
  const watching = new AbortController();
  const watched = orchestrator.watch(spec, { signal: watching.signal, onProgress: () => watching.abort() });
  await expect(watched).resolves.toBeUndefined();
  await orchestrator.kill(spec);
  await orchestrator.remove(spec.pipeline_id);
  expect(await orchestrator.inspect(spec)).toEqual([
    expect.objectContaining({ state: 'missing' }),
    expect.objectContaining({ state: 'missing' }),
  ]);
});

test('the same service account may not read Secrets or Deployments in another namespace, nor list them cluster-wide', async () => {
  const core = worker.makeApiClient(CoreV1Api);
  const apps = worker.makeApiClient(AppsV1Api);
  expect(await statusOf(core.listNamespacedSecret({ namespace: 'default' }))).toBe(403);
  expect(await statusOf(core.readNamespacedSecret({ name: 'anything', namespace: 'default' }))).toBe(403);
  expect(await statusOf(apps.listNamespacedDeployment({ namespace: 'default' }))).toBe(403);
  expect(await statusOf(apps.createNamespacedDeployment({ namespace: 'default', body: { metadata: { name: 'x' } } }))).toBe(403);
  expect(await statusOf(core.listSecretForAllNamespaces())).toBe(403);
  expect(await statusOf(core.readNamespace({ name: 'default' }))).toBe(403);
  // Nor read Secrets one by one in its own namespace: it only writes them.
  expect(await statusOf(core.readNamespacedSecret({ name: 'weir-rbac-check', namespace: NAMESPACE }))).toBe(403);
});

test("the API's service account may list pods and read their logs in Weir's namespace, and nothing else", async () => {
  const request = await adminCore.createNamespacedServiceAccountToken({
    name: 'weir-api',
    namespace: NAMESPACE,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const core = kubeConfigWithToken(admin, request.status!.token).makeApiClient(CoreV1Api);
  expect(await statusOf(core.listNamespacedPod({ namespace: NAMESPACE }))).toBe(200);
  // Allowed, so the API server looks for the pod: 404, not 403.
  expect(await statusOf(core.readNamespacedPodLog({ name: 'no-such-pod', namespace: NAMESPACE }))).toBe(404);
  expect(await statusOf(core.readNamespacedPodLog({ name: 'no-such-pod', namespace: 'default' }))).toBe(403);
  expect(await statusOf(core.listNamespacedPod({ namespace: 'default' }))).toBe(403);
  expect(await statusOf(core.listNamespacedSecret({ namespace: NAMESPACE }))).toBe(403);
  expect(await statusOf(core.deleteCollectionNamespacedPod({ namespace: NAMESPACE }))).toBe(403);
  expect(await statusOf(core.readNamespace({ name: NAMESPACE }))).toBe(403);
});

test("the worker's service account may read pods' logs in Weir's namespace only, for the last log lines of a failure", async () => {
  const core = worker.makeApiClient(CoreV1Api);
  expect(await statusOf(core.readNamespacedPodLog({ name: 'no-such-pod', namespace: NAMESPACE }))).toBe(404);
  expect(await statusOf(core.readNamespacedPodLog({ name: 'no-such-pod', namespace: 'default' }))).toBe(403);
});
