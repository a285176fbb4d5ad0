import { createHash } from 'node:crypto';
import { canonicalJson } from '../pipeline/canonical-json';
import type { ComponentSpec } from '../pipeline/pipeline-spec';
import { NATS_CREDS_VARIABLE } from './component-env';

/**
 * A digest of what a component's replicas run as: image, command, environment and streams. Replicas that carry another
 * digest run an earlier spec and are recreated on resume. The replica count and the credentials minted at each start
 * are left out: the one adds or removes replicas, the other says nothing about the component.
 */
export function componentFingerprint(component: ComponentSpec): string {
  const { [NATS_CREDS_VARIABLE]: _minted, ...env } = component.env ?? {};
  const { image, command, input, output } = component;
  return createHash('sha256').update(canonicalJson({ image, command, env, input, output })).digest('hex');
}
