import type { PipelineSpec } from './pipeline-spec';

/** A new replica count for one component of a pipeline. */
export interface ComponentScale {
  component: string;
  replicas: number;
}

/** The spec with `component` at `replicas` replicas, or undefined when the spec has no such component. */
export function scaledSpec(spec: PipelineSpec, { component, replicas }: ComponentScale): PipelineSpec | undefined {
  if (!spec.components.some(({ name }) => name === component)) return undefined;
  return {
    ...spec,
    components: spec.components.map((candidate) => (candidate.name === component ? { ...candidate, replicas } : candidate)),
  };
}

/** The scale in words, for the transition's reason: `scale of transform from 3 to 1 replicas requested`. */
export function scaleReason(spec: PipelineSpec, { component, replicas }: ComponentScale): string {
  const from = spec.components.find(({ name }) => name === component)?.replicas;
  return `scale of ${component} from ${from} to ${replicas} replicas requested`;
}
