import Docker from 'dockerode';
import { DockerOrchestrator } from '../activities/docker-orchestrator';
import { checkKubernetes } from '../activities/kubernetes/kubernetes-connection';
import { loadKubeConfig } from '../kube-config';
import { KubernetesOrchestrator } from '../activities/kubernetes-orchestrator';
import type { Orchestrator } from '../activities/orchestrator';
import type { WeirConfig } from '../config';

export interface ConfiguredOrchestrator {
  orchestrator: Orchestrator;
  /** What the start-up log line says about it. */
  description: Record<string, string>;
  close(): void;
}

/** The orchestrator WEIR_ORCHESTRATOR names; for Kubernetes, after checking that the cluster and the namespace answer. */
export async function orchestratorFromConfig(config: WeirConfig): Promise<ConfiguredOrchestrator> {
  if (config.orchestrator === 'docker') {
    return {
      orchestrator: new DockerOrchestrator(new Docker(), config.docker),
      description: { orchestrator: 'docker', docker_network_mode: config.docker.networkMode },
      close: () => {},
    };
  }
  const settings = config.kubernetes;
  const kubeConfig = loadKubeConfig(settings.kubeconfig);
  await checkKubernetes(kubeConfig, settings.namespace);
  const orchestrator = new KubernetesOrchestrator(kubeConfig, { ...settings, graceSeconds: config.pipelineSettings.stop_grace_seconds });
  return {
    orchestrator,
    description: {
      orchestrator: 'kubernetes',
      kubernetes_server: kubeConfig.getCurrentCluster()?.server ?? '',
      kubernetes_namespace: settings.namespace,
    },
    close: () => orchestrator.close(),
  };
}
