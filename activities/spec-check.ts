import {
  COMPONENT_NAME_PATTERN,
  MAX_REPLICAS,
  PIPELINE_ID_PATTERN,
  STREAM_NAME_PATTERN,
  type ComponentSpec,
  type PipelineSpec,
} from '../pipeline/pipeline-spec';
import { checkImageReference } from '../pipeline/image-reference';
import { InvalidSpecError, quoted } from './errors';

/**
 * Throws InvalidSpecError for the first value of the spec that no engine, NATS or Kubernetes may be given. The API
 * validates specs, but a workflow can also be started with the temporal CLI, so the worker checks again, by the same
 * grammar, before it provisions anything: names go into container names, engine paths and NATS subjects (where "."
 * "*" or ">" would widen a component's permissions), the image into engine paths, and env and command reach runc,
 * which refuses NUL.
 */
export function checkSpec(spec: PipelineSpec): void {
  if (!PIPELINE_ID_PATTERN.test(String(spec.pipeline_id))) {
    throw new InvalidSpecError('', `the pipeline id ${quoted(spec.pipeline_id)} does not match ${PIPELINE_ID_PATTERN.source}`);
  }
  for (const component of spec.components) {
    const problem = problemOf(component);
    if (problem) throw new InvalidSpecError(String(component.name), problem);
  }
}

function problemOf(component: ComponentSpec): string | undefined {
  if (typeof component.name !== 'string' || !COMPONENT_NAME_PATTERN.test(component.name)) {
    return `the name does not match ${COMPONENT_NAME_PATTERN.source}`;
  }
  for (const stream of [component.input, component.output]) {
    if (stream !== undefined && !STREAM_NAME_PATTERN.test(String(stream)))
      return `the stream ${quoted(stream)} does not match ${STREAM_NAME_PATTERN.source}`;
  }
  const image = typeof component.image === 'string' ? checkImageReference(component.image) : 'is not a string';
  if (image) return `image ${quoted(component.image)} ${image}`;
  if (!Number.isInteger(component.replicas) || component.replicas < 1 || component.replicas > MAX_REPLICAS) {
    return `replicas must be a whole number from 1 to ${MAX_REPLICAS}, not ${quoted(component.replicas)}`;
  }
  return envProblem(component.env ?? {}) ?? commandProblem(component.command);
}

function envProblem(env: Record<string, string>): string | undefined {
  for (const [variable, value] of Object.entries(env)) {
    if (variable === '' || /[=\0]/.test(variable))
      return `env variable ${quoted(variable)} has no valid name: it must be non-empty, without "=" or NUL`;
    if (typeof value !== 'string' || value.includes('\0')) return `env variable ${quoted(variable)} needs a string value without NUL`;
  }
  return undefined;
}

function commandProblem(command: unknown): string | undefined {
  if (command === undefined) return undefined;
  const valid = Array.isArray(command) && command.every((arg) => typeof arg === 'string' && !arg.includes('\0'));
  return valid ? undefined : 'command must be a list of strings without NUL';
}
