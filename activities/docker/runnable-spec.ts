import { processEnv, replicasOrCommandProblem, type RunnableComponent, type RunnableSpec } from '../runnable-spec';
import { InvalidSpecError, quoted } from '../errors';
import { imageProblem } from './images';
import { containerName } from './resource-names';

/** Docker's grammar for container and volume names. */
const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/**
 * Throws InvalidSpecError for the first component value Docker cannot take. The API validates specs, but a
 * workflow can also be started with the temporal CLI, so the worker checks again whatever reaches the engine:
 * the image and the container names, which go into URL paths, the replica count, and the env and command,
 * which runc refuses with a NUL in them.
 */
export function checkRunnable(spec: RunnableSpec): void {
  for (const component of spec.components) {
    const problem = problemOf(spec.pipeline_id, component);
    if (problem) throw new InvalidSpecError(String(component.name), problem);
  }
}

function problemOf(pipelineId: string, component: RunnableComponent): string | undefined {
  const image = imageProblem(component.image);
  if (image) return image;
  const name = containerName(pipelineId, component.name, 0);
  if (!DOCKER_NAME.test(name)) return `container name ${quoted(name)} does not match Docker's ${DOCKER_NAME.source}`;
  return envProblem(processEnv(component)) ?? replicasOrCommandProblem(component);
}

function envProblem(env: Record<string, string>): string | undefined {
  for (const [variable, value] of Object.entries(env)) {
    if (variable === '' || /[=\0]/.test(variable)) return `env variable ${quoted(variable)} has no valid name: it must be non-empty, without "=" or NUL`;
    if (typeof value !== 'string' || value.includes('\0')) return `env variable ${quoted(variable)} needs a string value without NUL`;
  }
  return undefined;
}
