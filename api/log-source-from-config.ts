import Docker from 'dockerode';
import { loadKubeConfig } from '../kube-config';
import type { WeirConfig } from '../config';
import type { ComponentLogSource } from './component-logs';
import { DockerLogSource } from './docker-log-source';
import { KubernetesLogSource } from './kubernetes-log-source';

/** Where components' logs are read: from the orchestrator WEIR_ORCHESTRATOR names, as the worker's runs them. */
export function logSourceFromConfig(config: WeirConfig): ComponentLogSource {
  if (config.orchestrator === 'docker') return new DockerLogSource(new Docker());
  const { kubeconfig, namespace } = config.kubernetes;
  return new KubernetesLogSource(loadKubeConfig(kubeconfig), namespace);
}
