import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

/** Where a pod finds its service account's token. */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * The kubeconfig the worker and the API use: the file `kubeconfigPath` (KUBECONFIG), or else the pod's service account. Throws
 * saying which is missing.
 */
export function loadKubeConfig(kubeconfigPath: string | undefined, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (kubeconfigPath !== undefined) {
    if (!existsSync(kubeconfigPath)) throw new Error(`KUBECONFIG=${kubeconfigPath}: no such file`);
    kubeConfig.loadFromFile(kubeconfigPath);
    if (!kubeConfig.getCurrentCluster()) throw new Error(`KUBECONFIG=${kubeconfigPath} names no current cluster`);
    return kubeConfig;
  }
  if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kubeConfig.loadFromCluster();
    return kubeConfig;
  }
  throw new Error('WEIR_ORCHESTRATOR=kubernetes needs a kubeconfig: set KUBECONFIG, or run the worker in a pod with a service account');
}
