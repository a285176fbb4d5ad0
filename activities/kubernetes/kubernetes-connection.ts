import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { kubernetesStatusOf } from './api-errors';

/**
 * Checks that the API server answers and that Weir's namespace exists, throwing a message that says what to fix.
 * Reading one's own namespace is allowed by the Role in deploy/kubernetes/rbac.yaml.
 */
export async function checkKubernetes(kubeConfig: KubeConfig, namespace: string): Promise<void> {
  const server = kubeConfig.getCurrentCluster()?.server ?? '(no server)';
  try {
    await kubeConfig.makeApiClient(CoreV1Api).readNamespace({ name: namespace });
  } catch (error) {
    throw new Error(problemOf(error, server, namespace), { cause: error });
  }
}

function problemOf(error: unknown, server: string, namespace: string): string {
  const status = kubernetesStatusOf(error);
  if (status === 404)
    return `namespace ${namespace} does not exist on ${server}: create it (deploy/kubernetes/namespace.yaml) or set WEIR_K8S_NAMESPACE`;
  if (status === 401) return `the Kubernetes API server ${server} refused the credentials of the kubeconfig`;
  if (status === 403)
    return `the Kubernetes API server ${server} does not let Weir read namespace ${namespace}: apply deploy/kubernetes/rbac.yaml`;
  if (status !== undefined) return `the Kubernetes API server ${server} answered HTTP ${status} to reading namespace ${namespace}`;
  return `the Kubernetes API server ${server} is unreachable: ${error instanceof Error ? error.message : String(error)}`;
}
