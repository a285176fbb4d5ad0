import { COMPONENT_LABEL, PIPELINE_LABEL } from '../../pipeline/names';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../../pipeline/kubernetes-names';

/** Names and labels of the Kubernetes objects a pipeline owns. */
export { COMPONENT_LABEL, PIPELINE_LABEL } from '../../pipeline/names';
export { MANAGED_BY, MANAGED_BY_LABEL, componentsSelector, managedSelector, pipelineSelector } from '../../pipeline/kubernetes-names';
/** On a pod template: the componentFingerprint of the spec it runs, as Docker's `weir.spec-hash` label. */
export const FINGERPRINT_ANNOTATION = 'weir.spec-hash';

export function deploymentName(pipelineId: string, component: string): string {
  return `weir-${pipelineId}-${component}`;
}

/** The pipeline's one Secret: the secret values of all its components. */
export function secretName(pipelineId: string): string {
  return `weir-${pipelineId}`;
}

export function volumeClaimName(pipelineId: string): string {
  return `weir-${pipelineId}-data`;
}

/** The key of a component's secret variable in the pipeline's Secret. */
export function secretKey(component: string, variable: string): string {
  return `${component}.${variable}`;
}

export function pipelineLabels(pipelineId: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY, [PIPELINE_LABEL]: pipelineId };
}

export function componentLabels(pipelineId: string, component: string): Record<string, string> {
  return { ...pipelineLabels(pipelineId), [COMPONENT_LABEL]: component };
}
