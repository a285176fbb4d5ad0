import { randomBytes } from 'node:crypto';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1Pod,
  type V1PodSpec,
} from '@kubernetes/client-node';
import { findFreePort } from '../../scripts/ports';
import { ensureKubernetesBinaries } from '../../scripts/kubernetes/binaries';
import { KWOK_NODE_LABEL, startControlPlane, type ControlPlane } from '../../scripts/kubernetes/control-plane';
import { kwokFailureMarks } from '../../scripts/kubernetes/kwok-failure';
import { eventually } from '../../harness/eventually';

/** The binaries' own build timeout, plus the start. */
const SETUP_TIMEOUT_MS = 65 * 60 * 1000;
const namespace = `weir-test-${randomBytes(4).toString('hex')}`;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let plane: ControlPlane;
let core: CoreV1Api;
let apps: AppsV1Api;

beforeAll(async () => {
  const started = Date.now();
  await ensureKubernetesBinaries();
  const built = Date.now();
  plane = await startControlPlane({ name: 'kubernetes-test', realNode: true });
  console.log(
    `Kubernetes binaries ready in ${(built - started) / 1000} s; control plane and both nodes up in ${(Date.now() - built) / 1000} s`,
  );

  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(plane.kubeconfigPath);
  core = kubeConfig.makeApiClient(CoreV1Api);
  apps = kubeConfig.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  // Pods are refused until the service account controller has given the namespace its default account.
  await eventually(() => core.readNamespacedServiceAccount({ name: 'default', namespace }), Boolean);
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await plane?.stop();
});

const onKwokNode: Partial<V1PodSpec> = { nodeSelector: { [KWOK_NODE_LABEL.key]: KWOK_NODE_LABEL.value } };

function deployment(name: string, replicas: number): V1Deployment {
  const labels = { app: name };
  return {
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { ...onKwokNode, containers: [{ name: 'main', image: 'busybox:latest' }] },
      },
    },
  };
}

async function podsOf(app: string): Promise<V1Pod[]> {
  return (await core.listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items;
}

describe('Kubernetes control plane', () => {
  test('a 2-replica Deployment on the kwok node becomes available, and scales to 0', async () => {
    await apps.createNamespacedDeployment({ namespace, body: deployment('scaled', 2) });
    await eventually(
      () => apps.readNamespacedDeployment({ name: 'scaled', namespace }),
      (d) => d.status?.availableReplicas === 2,
    );
    const pods = await podsOf('scaled');
    expect(pods.map((pod) => [pod.spec?.nodeName, pod.status?.phase])).toEqual([
      [plane.kwokNodeName, 'Running'],
      [plane.kwokNodeName, 'Running'],
    ]);

    await apps.patchNamespacedDeploymentScale({ name: 'scaled', namespace, body: { spec: { replicas: 0 } } }, mergePatch);
    await eventually(
      () => podsOf('scaled'),
      (remaining) => remaining.length === 0,
    );
    const scaled = await apps.readNamespacedDeployment({ name: 'scaled', namespace });
    expect(scaled.status?.availableReplicas ?? 0).toBe(0);
  });

  test("kwok's failure stage fails a running pod with the chosen reason and exit code, and the ReplicaSet replaces it", async () => {
    await apps.createNamespacedDeployment({ namespace, body: deployment('failing', 1) });
    const [victim] = await eventually(
      () => podsOf('failing'),
      (pods) => pods.length === 1 && pods[0].status?.phase === 'Running',
    );
    const name = victim.metadata!.name!;

    await core.patchNamespacedPod({ name, namespace, body: { metadata: kwokFailureMarks('OOMKilled', 137) } }, mergePatch);

    const failed = await eventually(
      () => core.readNamespacedPod({ name, namespace }),
      (pod) => pod.status?.phase === 'Failed',
    );
    expect(failed.status?.containerStatuses?.map((status) => status.state?.terminated)).toEqual([
      expect.objectContaining({ reason: 'OOMKilled', exitCode: 137 }),
    ]);
    const replacement = await eventually(
      () => podsOf('failing'),
      (pods) => pods.some((pod) => pod.metadata?.name !== name && pod.status?.phase === 'Running'),
    );
    expect(replacement.filter((pod) => pod.status?.phase === 'Running')).toHaveLength(1);
  });

  test('a host-network pod runs a real container on the real node, which serves on loopback and has readable logs', async () => {
    const node = plane.realNode!;
    await node.importDockerImage('busybox:latest');
    const port = await findFreePort();
    const name = 'real-httpd';
    const script = `mkdir -p /www && echo "served by ${name}" > /www/index.html && echo "httpd starting" && exec httpd -f -p 127.0.0.1:${port} -h /www`;
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name, namespace },
        spec: {
          nodeSelector: { 'kubernetes.io/hostname': node.name },
          hostNetwork: true,
          containers: [{ name: 'main', image: 'busybox:latest', imagePullPolicy: 'Never', command: ['sh', '-c', script] }],
        },
      },
    });

    const running = await eventually(
      () => core.readNamespacedPod({ name, namespace }),
      (pod) => pod.status?.containerStatuses?.[0]?.state?.running !== undefined,
      60_000,
    );
    expect(running.spec?.nodeName).toBe(node.name);
    const body = await eventually(
      () => fetch(`http://127.0.0.1:${port}/`).then((response) => response.text()),
      (text) => text.length > 0,
    );
    expect(body.trim()).toBe(`served by ${name}`);
    const logs = await eventually(
      () => core.readNamespacedPodLog({ name, namespace }),
      (text) => text.includes('httpd starting'),
    );
    expect(logs).toContain('httpd starting');
  });
});
