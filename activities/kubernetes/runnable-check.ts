import { checkImageReference } from '../../pipeline/image-reference';
import { InvalidSpecError, quoted } from '../errors';
import type { RunnableComponent, RunnableSpec } from '../runnable-spec';
import { isDeploymentName, isDnsLabel, isEnvName, isLabelValue, isSecretKey, pipelineIdProblem } from '../../pipeline/kubernetes-names';
import { deploymentName, secretKey } from './resource-names';

/**
 * Throws InvalidSpecError for the first value Kubernetes cannot take, or that would land in another object's name or
 * a label selector: what the activities' checkSpec does not cover, such as secret values and Deployment name length.
 */
export function checkRunnable(spec: RunnableSpec): void {
  const idProblem = pipelineIdProblem(spec.pipeline_id);
  for (const component of spec.components) {
    const problem = idProblem ?? problemOf(spec.pipeline_id, component);
    if (problem) throw new InvalidSpecError(String(component.name), problem);
  }
}

function problemOf(pipelineId: string, component: RunnableComponent): string | undefined {
  if (typeof component.name !== 'string' || !isDnsLabel(component.name) || !isLabelValue(component.name)) {
    return `component name ${quoted(component.name)} is no DNS label`;
  }
  const name = deploymentName(pipelineId, component.name);
  if (!isDeploymentName(name)) return `Deployment name ${quoted(name)} is too long or not a DNS subdomain`;
  const image = typeof component.image === 'string' ? checkImageReference(component.image) : 'is not a string';
  if (image) return `image ${quoted(component.image)} ${image}`;
  return variablesProblem(component.env ?? {}) ?? variablesProblem(component.secret_values ?? {}) ?? secretKeysProblem(component);
}

function variablesProblem(variables: Record<string, string>): string | undefined {
  for (const [variable, value] of Object.entries(variables)) {
    if (!isEnvName(variable)) return `env variable ${quoted(variable)} has no valid name: printable ASCII without "="`;
    if (typeof value !== 'string' || value.includes('\0')) return `env variable ${quoted(variable)} needs a string value without NUL`;
  }
  return undefined;
}

function secretKeysProblem(component: RunnableComponent): string | undefined {
  const invalid = Object.keys(component.secret_values ?? {}).find((variable) => !isSecretKey(secretKey(component.name, variable)));
  return invalid === undefined
    ? undefined
    : `secret variable ${quoted(invalid)} cannot be a Secret key: letters, digits, "-", "_" and "." only`;
}
