import type { Permissions } from '@nats-io/jwt';
import type { ComponentSpec } from '../../pipeline/pipeline-spec';
import { componentInboxPrefix, jetStreamName, streamSubject } from './stream-names';

/**
 * What one component of a pipeline may do on NATS, and nothing more: publish to its output subject, pull from and
 * acknowledge on its own durable consumer, read that consumer's info, and receive replies in its own inbox. No stream
 * or consumer can be created, changed or deleted, and no other pipeline's subject is reachable.
 */
export function componentPermissions(pipelineId: string, component: ComponentSpec): Permissions {
  const publish: string[] = [];
  if (component.output) publish.push(streamSubject(pipelineId, component.output));
  if (component.input) {
    const consumer = `${jetStreamName(pipelineId, component.input)}.${component.name}`;
    publish.push(`$JS.API.CONSUMER.INFO.${consumer}`, `$JS.API.CONSUMER.MSG.NEXT.${consumer}`, `$JS.ACK.${consumer}.>`);
  }
  return {
    // An empty allow list would allow everything, so a component with no streams is denied every subject instead.
    pub: publish.length > 0 ? { allow: publish } : { deny: ['>'] },
    sub: { allow: [`${componentInboxPrefix(pipelineId, component.name)}.>`] },
  };
}
