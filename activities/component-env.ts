import type { ComponentSpec, PipelineSpec } from '../workflows/pipeline-spec';
import { jetStreamName, streamSubject } from './nats/stream-names';

/** The variables Weir gives every component, whatever runs it; they override the component's own of the same name. */
function weirEnv(pipelineId: string, component: ComponentSpec, natsUrl: string): Record<string, string> {
  return {
    WEIR_PIPELINE_ID: pipelineId,
    WEIR_COMPONENT: component.name,
    NATS_URL: natsUrl,
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
