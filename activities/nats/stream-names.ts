/** How a pipeline's stream names map to JetStream. Pipeline ids and stream names hold no '_' or '.', so these never collide. */
export function jetStreamName(pipelineId: string, stream: string): string {
  return `${pipelineStreamPrefix(pipelineId)}${stream}`;
}

export function streamSubject(pipelineId: string, stream: string): string {
  return `weir.${pipelineId}.${stream}`;
}

export function pipelineStreamPrefix(pipelineId: string): string {
  return `weir_${pipelineId}_`;
}
