/** Names and labels of the Kubernetes objects a pipeline owns. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'weir';
export const PIPELINE_LABEL = 'weir.pipeline';
export const COMPONENT_LABEL = 'weir.component';
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

/** Label selectors; the values in them are checked label values (see kubernetes-names.ts). */
export function managedSelector(): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
}

export function pipelineSelector(pipelineId: string): string {
  return `${managedSelector()},${PIPELINE_LABEL}=${pipelineId}`;
}

export function componentsSelector(pipelineId: string, components: string[]): string {
  return `${pipelineSelector(pipelineId)},${COMPONENT_LABEL} in (${components.join(',')})`;
}
