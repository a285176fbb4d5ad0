import { PIPELINE_LABEL } from '../../pipeline/names';

/** Names and labels of the Docker resources a pipeline owns. */
export { COMPONENT_LABEL, PIPELINE_LABEL, REPLICA_LABEL } from '../../pipeline/names';
/** The componentFingerprint of the spec a container was created from. */
export const FINGERPRINT_LABEL = 'weir.spec-hash';
const MANAGED_LABEL = 'weir.managed';

export function containerName(pipelineId: string, component: string, replica: number): string {
  return `weir-${pipelineId}-${component}-${replica}`;
}

export function networkName(pipelineId: string): string {
  return `weir-${pipelineId}`;
}

export function volumeName(pipelineId: string): string {
  return `weir-${pipelineId}-data`;
}

/** Labels every resource of the pipeline carries. */
export function pipelineLabels(pipelineId: string): Record<string, string> {
  return { [PIPELINE_LABEL]: pipelineId, [MANAGED_LABEL]: 'true' };
}

/** A list filter that matches every resource of the pipeline. */
export function pipelineFilter(pipelineId: string): { label: string[] } {
  return { label: [`${PIPELINE_LABEL}=${pipelineId}`] };
}

/** A list filter that matches every resource Weir manages. */
export function managedFilter(): string {
  return `${MANAGED_LABEL}=true`;
}
