/** A pipeline as the user declared it. Validated by the API before it reaches a workflow. */
export interface ComponentSpec {
  name: string;
  image: string;
  command?: string[];
  env?: Record<string, string>;
  /** Environment variables whose values are secrets, by the secret's name; the worker reads the values, so they never enter history. */
  secret_env?: Record<string, string>;
  replicas: number;
  /** How long each replica must have run, and been healthy if its image has a healthcheck, before it counts as ready; absent means 0. */
  min_ready_seconds?: number;
  /** Stream this component consumes; absent for sources. */
  input?: string;
  /** Stream this component publishes to; absent for sinks. */
  output?: string;
}

export interface PipelineSpec {
  pipeline_id: string;
  name: string;
  components: ComponentSpec[];
}

/**
 * The grammar of the names a spec holds. Names become container and Deployment names, NATS subjects and stream
 * names, so they are lowercase DNS labels: no ".", "*" or ">" can reach a subject, no "/" or ".." a path.
 */
export const PIPELINE_ID_PATTERN = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;
export const COMPONENT_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;
export const STREAM_NAME_PATTERN = /^[a-z0-9-]{1,32}$/;
export const MAX_REPLICAS = 10;

/** A secret's name: a DNS label, so it is also a safe file name and a valid Kubernetes Secret name. */
export const SECRET_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Variables Weir sets in every component (see activities/component-env.ts), overriding any of the same name. */
export function isWeirVariable(name: string): boolean {
  return name === 'NATS_URL' || name.startsWith('WEIR_');
}
