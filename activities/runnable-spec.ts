import type { ComponentSpec, PipelineSpec } from '../pipeline/pipeline-spec';

/**
 * A component as an orchestrator runs it. `env` holds plain values, which may be shown; `secret_values` holds the
 * values of its `secret_env` and its NATS credentials, which the worker reads or mints itself so that they never
 * enter workflow history, and which an orchestrator keeps out of anything it shows (Kubernetes: a Secret). The two
 * never share a variable name.
 */
export interface RunnableComponent extends ComponentSpec {
  secret_values?: Record<string, string>;
}

export interface RunnableSpec extends PipelineSpec {
  components: RunnableComponent[];
}

/** Every variable the component's process gets: plain env and secret values together. */
export function processEnv(component: RunnableComponent): Record<string, string> {
  return { ...component.env, ...component.secret_values };
}

/** The component with `values` as secret values: they replace plain or secret variables of the same names. */
export function withSecrets(component: RunnableComponent, values: Record<string, string>): RunnableComponent {
  return { ...component, env: without(component.env, values), secret_values: { ...component.secret_values, ...values } };
}

/** The component with `values` as plain env: they replace plain or secret variables of the same names. */
export function withPlainEnv(component: RunnableComponent, values: Record<string, string>): RunnableComponent {
  const secrets = without(component.secret_values, values);
  return { ...component, env: { ...component.env, ...values }, ...(secrets ? { secret_values: secrets } : {}) };
}

function without(variables: Record<string, string> | undefined, names: Record<string, string>): Record<string, string> | undefined {
  if (!variables) return undefined;
  return Object.fromEntries(Object.entries(variables).filter(([name]) => !Object.hasOwn(names, name)));
}
