import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { KubeConfig, KubernetesObjectApi, loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';

const MANIFESTS_DIR = path.resolve(__dirname, '..', 'deploy', 'kubernetes');

/** The objects of one file of deploy/kubernetes/. */
export async function manifestObjects(file: string): Promise<KubernetesObject[]> {
  return loadAllYaml(await readFile(path.join(MANIFESTS_DIR, file), 'utf8')) as KubernetesObject[];
}

/** Creates the objects of the given files of deploy/kubernetes/, in order, as `kubectl create -f` would. */
export async function applyManifests(kubeConfig: KubeConfig, files: string[]): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  for (const file of files) for (const object of await manifestObjects(file)) await client.create(object);
}

/** A kubeconfig for the same cluster that signs in with a bearer token. */
export function kubeConfigWithToken(admin: KubeConfig, token: string): KubeConfig {
  const cluster = admin.getCurrentCluster()!;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'weir', server: cluster.server, caFile: cluster.caFile, caData: cluster.caData }],
    users: [{ name: 'weir-worker', token }],
    contexts: [{ name: 'weir', cluster: 'weir', user: 'weir-worker' }],
    currentContext: 'weir',
  });
  return kubeConfig;
}
