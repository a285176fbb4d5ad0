import type { ComponentSpec, PipelineSpec } from '../pipeline/pipeline-spec';
import { SecretMissingError } from './errors';
import type { NatsCredentialIssuer } from './nats/nats-credentials';
import { componentInboxPrefix, jetStreamName, streamSubject } from './nats/stream-names';
import type { SecretDirectory } from './secret-directory';

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

export function withWeirEnv(spec: PipelineSpec, natsUrl: string): PipelineSpec {
  return {
    ...spec,
    components: spec.components.map((component) => ({
      ...component,
      env: { ...component.env, ...weirEnv(spec.pipeline_id, component, natsUrl) },
    })),
  };
}

/** The variable holding a component's NATS credentials, minted anew at every deploy and resume. */
export const NATS_CREDS_VARIABLE = 'WEIR_NATS_CREDS';

/**
 * Adds to each component's env WEIR_NATS_CREDS, a NATS credentials file allowed only that component's subjects,
 * minted here so that it never enters workflow history. Without an issuer, Weir runs without NATS credentials.
 */
export async function withNatsCredentials(spec: PipelineSpec, issuer: NatsCredentialIssuer | undefined): Promise<PipelineSpec> {
  if (!issuer) return spec;
  const components: ComponentSpec[] = [];
  for (const component of spec.components) {
    const creds = new TextDecoder().decode(await issuer.component(spec.pipeline_id, component));
    components.push({ ...component, env: { ...component.env, [NATS_CREDS_VARIABLE]: creds } });
  }
  return { ...spec, components };
}

/** Adds each component's `secret_env` to its env, with the values read from `secrets`; they override plain env of the same name. */
export async function withSecretValues(spec: PipelineSpec, secrets: SecretDirectory): Promise<PipelineSpec> {
  const components: ComponentSpec[] = [];
  for (const component of spec.components) {
    const values: Record<string, string> = {};
    for (const [variable, secret] of Object.entries(component.secret_env ?? {})) {
      const value = await secrets.read(secret);
      if (value === undefined) throw new SecretMissingError(component.name, secret, secrets.dir);
      values[variable] = value;
    }
    components.push({ ...component, env: { ...component.env, ...values } });
  }
  return { ...spec, components };
}

/** Shorter secret values are left in text: masking them would garble it and hide little. */
const MIN_MASKED_LENGTH = 4;

/** `text` with the value of every secret the spec names replaced by `[secret <name>]`; a secret that cannot be read is skipped. */
export async function maskSecrets(text: string, spec: PipelineSpec, secrets: SecretDirectory): Promise<string> {
  let masked = text;
  for (const secret of new Set(spec.components.flatMap((component) => Object.values(component.secret_env ?? {})))) {
    const value = await secrets.read(secret).catch(() => undefined);
    if (value !== undefined && value.length >= MIN_MASKED_LENGTH) masked = masked.split(value).join(`[secret ${secret}]`);
  }
  return masked;
}
