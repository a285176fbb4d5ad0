import type { ComponentSpec, PipelineSpec } from '../pipeline/pipeline-spec';
import { SecretMissingError } from './errors';
import { withPlainEnv, withSecrets, type RunnableComponent, type RunnableSpec } from './runnable-spec';
import type { NatsCredentialIssuer } from './nats/nats-credentials';
import { componentInboxPrefix, jetStreamName, streamSubject } from './nats/stream-names';
import type { SecretDirectory } from '../secret-directory';

/**
 * The variables Weir gives every component, whatever runs it; they override the component's own of the same name.
 * Keep isWeirVariable (workflows/pipeline-spec.ts) matching every name set here.
 */
function weirEnv(pipelineId: string, component: ComponentSpec, natsUrl: string): Record<string, string> {
  return {
    WEIR_PIPELINE_ID: pipelineId,
    WEIR_COMPONENT: component.name,
    NATS_URL: natsUrl,
    WEIR_NATS_INBOX_PREFIX: componentInboxPrefix(pipelineId, component.name),
    ...(component.input ? { WEIR_INPUT_STREAM: jetStreamName(pipelineId, component.input), WEIR_INPUT_CONSUMER: component.name } : {}),
    ...(component.output ? { WEIR_OUTPUT_SUBJECT: streamSubject(pipelineId, component.output) } : {}),
  };
}

export function withWeirEnv(spec: RunnableSpec, natsUrl: string): RunnableSpec {
  return {
    ...spec,
    components: spec.components.map((component) => withPlainEnv(component, weirEnv(spec.pipeline_id, component, natsUrl))),
  };
}

/** The variable holding a component's NATS credentials, minted anew at every deploy and resume. */
export const NATS_CREDS_VARIABLE = 'WEIR_NATS_CREDS';

/**
 * Adds to each component's secret values WEIR_NATS_CREDS, a NATS credentials file allowed only that component's
 * subjects, minted here so that it never enters workflow history. Without an issuer, Weir runs without NATS credentials.
 */
export async function withNatsCredentials(spec: RunnableSpec, issuer: NatsCredentialIssuer | undefined): Promise<RunnableSpec> {
  if (!issuer) return spec;
  const components: RunnableComponent[] = [];
  for (const component of spec.components) {
    const creds = new TextDecoder().decode(await issuer.component(spec.pipeline_id, component));
    components.push(withSecrets(component, { [NATS_CREDS_VARIABLE]: creds }));
  }
  return { ...spec, components };
}

/** Adds each component's `secret_env` to its secret values, read from `secrets`; they replace plain env of the same name. */
export async function withSecretValues(spec: PipelineSpec, secrets: SecretDirectory): Promise<RunnableSpec> {
  const components: RunnableComponent[] = [];
  for (const component of spec.components) {
    const values: Record<string, string> = {};
    for (const [variable, secret] of Object.entries(component.secret_env ?? {})) {
      const value = await secrets.read(secret);
      if (value === undefined) throw new SecretMissingError(component.name, secret, secrets.dir);
      values[variable] = value;
    }
    components.push(withSecrets(component, values));
  }
  return { ...spec, components };
}
