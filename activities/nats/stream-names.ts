/**
 * How a pipeline's names map to NATS. Pipeline ids, component names and stream names hold only [a-z0-9-], so they are
 * single subject tokens and valid stream and consumer names, and '_' and '.' as separators never collide.
 */
const NAME_TOKEN = /^[a-z0-9-]+$/;

export function jetStreamName(pipelineId: string, stream: string): string {
  return `${pipelineStreamPrefix(pipelineId)}${token(stream)}`;
}

export function streamSubject(pipelineId: string, stream: string): string {
  return `weir.${token(pipelineId)}.${token(stream)}`;
}

export function pipelineStreamPrefix(pipelineId: string): string {
  return `weir_${token(pipelineId)}_`;
}

/** Where a component's replies arrive; its credentials allow it to subscribe there only. */
export function componentInboxPrefix(pipelineId: string, component: string): string {
  return `_INBOX_weir.${token(pipelineId)}.${token(component)}`;
}

function token(name: string): string {
  if (!NAME_TOKEN.test(name)) throw new Error(`"${name}" cannot be part of a NATS name: only a-z, 0-9 and '-' are allowed`);
  return name;
}
