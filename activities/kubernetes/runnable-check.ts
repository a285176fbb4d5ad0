import { InvalidSpecError, quoted } from '../errors';
import { processEnv, type RunnableComponent, type RunnableSpec } from '../runnable-spec';
import { checkSpec } from '../spec-check';
import { isDeploymentName, isEnvName, isSecretKey } from '../../pipeline/kubernetes-names';
import { deploymentName, secretKey } from './resource-names';

/**
 * Throws InvalidSpecError for the first value Kubernetes cannot take. checkSpec covers what every orchestrator needs
 * (ids, names, images, env values); on top of it Kubernetes limits the Deployment name's length, its own grammar of
 * env variable names, and the keys of the Secret that holds the secret values.
 */
export function checkRunnable(spec: RunnableSpec): void {
  checkSpec(spec);
  for (const component of spec.components) {
    const problem = problemOf(spec.pipeline_id, component);
    if (problem) throw new InvalidSpecError(component.name, problem);
  }
}

function problemOf(pipelineId: string, component: RunnableComponent): string | undefined {
  const name = deploymentName(pipelineId, component.name);
  if (!isDeploymentName(name)) return `Deployment name ${quoted(name)} is too long or not a DNS subdomain`;
  const invalidName = Object.keys(processEnv(component)).find((variable) => !isEnvName(variable));
  if (invalidName !== undefined) return `env variable ${quoted(invalidName)} has no valid name: printable ASCII without "="`;
  const invalidKey = Object.keys(component.secret_values ?? {}).find((variable) => !isSecretKey(secretKey(component.name, variable)));
  if (invalidKey !== undefined)
    return `secret variable ${quoted(invalidKey)} cannot be a Secret key: letters, digits, "-", "_" and "." only`;
  return undefined;
}
