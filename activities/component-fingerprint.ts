import { createHash } from 'node:crypto';
import { canonicalJson } from '../pipeline/canonical-json';
import type { ComponentSpec } from '../pipeline/pipeline-spec';

/**
 * A digest of what a component's replicas run as: image, command, environment, secret names and streams. Replicas
 * that carry another digest run an earlier spec and are recreated on resume. The replica count is left out, since it
 * adds or removes replicas, and so are secret values and minted credentials, which are not part of the spec.
 */
export function componentFingerprint(component: ComponentSpec): string {
  const { image, command, env, secret_env, input, output } = component;
  return createHash('sha256')
    .update(canonicalJson({ image, command, env: env ?? {}, secret_env: secret_env ?? {}, input, output }))
    .digest('hex');
}
