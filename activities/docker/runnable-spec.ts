import { processEnv, type RunnableComponent, type RunnableSpec } from '../runnable-spec';
import { InvalidSpecError, quoted } from '../errors';
import { imageProblem } from './images';
import { containerName } from './resource-names';

/** The most replicas a component may have, as the API allows. */
export const MAX_REPLICAS = 10;

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
  if (!Number.isInteger(component.replicas) || component.replicas < 1 || component.replicas > MAX_REPLICAS) {
    return `replicas must be a whole number from 1 to ${MAX_REPLICAS}, not ${quoted(component.replicas)}`;
  }
  const name = containerName(pipelineId, component.name, 0);
  if (!DOCKER_NAME.test(name)) return `container name ${quoted(name)} does not match Docker's ${DOCKER_NAME.source}`;
  return envProblem(processEnv(component)) ?? commandProblem(component.command);
}

function envProblem(env: Record<string, string>): string | undefined {
  for (const [variable, value] of Object.entries(env)) {
    if (variable === '' || /[=\0]/.test(variable)) return `env variable ${quoted(variable)} has no valid name: it must be non-empty, without "=" or NUL`;
    if (typeof value !== 'string' || value.includes('\0')) return `env variable ${quoted(variable)} needs a string value without NUL`;
  }
  return undefined;
}

function commandProblem(command: unknown): string | undefined {
  if (command === undefined) return undefined;
  const valid = Array.isArray(command) && command.every((arg) => typeof arg === 'string' && !arg.includes('\0'));
  return valid ? undefined : 'command must be a list of strings without NUL';
}
