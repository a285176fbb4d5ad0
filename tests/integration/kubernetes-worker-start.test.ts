import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkKubernetes } from '../../activities/kubernetes/kubernetes-connection';
import { loadKubeConfig } from '../../kube-config';
import { findFreePort } from '../../scripts/ports';
import { kubeConfigWithToken } from '../../harness/manifests';
import { startWorkerProcess } from '../../harness/worker-process';
import { createTestNamespace, deleteTestNamespace } from '../support/test-kubernetes';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'weir-kubeconfig-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('without KUBECONFIG and outside a pod, the worker says it needs a kubeconfig', () => {
  expect(() => loadKubeConfig(undefined, {})).toThrow(
    'WEIR_ORCHESTRATOR=kubernetes needs a kubeconfig: set KUBECONFIG, or run the worker in a pod with a service account',
  );
  expect(() => loadKubeConfig(path.join(dir, 'absent'))).toThrow(`KUBECONFIG=${path.join(dir, 'absent')}: no such file`);
});

test('a server that does not answer is named as unreachable', async () => {
  const port = await findFreePort();
  const file = path.join(dir, 'unreachable.kubeconfig');
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: { token: 'nobody' } }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  };
  await writeFile(file, JSON.stringify(kubeconfig));
  await expect(checkKubernetes(loadKubeConfig(file), 'weir')).rejects.toThrow(
    `the Kubernetes API server https://127.0.0.1:${port} is unreachable: `,
  );
});

test('a missing namespace, and credentials the server refuses, are named with what to do', async () => {
  const kubeConfig = loadKubeConfig(process.env.KUBECONFIG);
  const server = kubeConfig.getCurrentCluster()!.server;
  await expect(checkKubernetes(kubeConfig, 'no-such-namespace')).rejects.toThrow(
    `namespace no-such-namespace does not exist on ${server}: create it (deploy/kubernetes/namespace.yaml) or set WEIR_K8S_NAMESPACE`,
  );
  const namespace = await createTestNamespace('weir-start');
  try {
    await expect(checkKubernetes(kubeConfig, namespace)).resolves.toBeUndefined();
  } finally {
    await deleteTestNamespace(namespace);
  }
  const refused = kubeConfigWithToken(kubeConfig, 'not-a-valid-token');
  await expect(checkKubernetes(refused, 'default')).rejects.toThrow(
    `the Kubernetes API server ${server} refused the credentials of the kubeconfig`,
  );
});

test('the worker process refuses to start on Kubernetes without its namespace, and says why', async () => {
  await expect(startWorkerProcess({ WEIR_ORCHESTRATOR: 'kubernetes', WEIR_K8S_NAMESPACE: 'no-such-namespace' })).rejects.toThrow(
    /worker process exited with 1: weir-worker: namespace no-such-namespace does not exist on https:\/\/127\.0\.0\.1:\d+/,
  );
});
