import type { ComponentSpec, PipelineSpec } from '../../workflows/pipeline-spec';
import { jetStreamName, streamSubject } from './stream-names';

/** The data plane variables every component gets, on top of its own environment. */
function dataPlaneEnv(pipelineId: string, component: ComponentSpec, natsUrl: string): Record<string, string> {
  return {
    NATS_URL: natsUrl,
    ...(component.input ? { WEIR_INPUT_STREAM: jetStreamName(pipelineId, component.input), WEIR_INPUT_CONSUMER: component.name } : {}),
    ...(component.output ? { WEIR_OUTPUT_SUBJECT: streamSubject(pipelineId, component.output) } : {}),
  };
}

export function withDataPlaneEnv(spec: PipelineSpec, natsUrl: string): PipelineSpec {
  return {
    ...spec,
    components: spec.components.map((component) => ({
      ...component,
      env: { ...component.env, ...dataPlaneEnv(spec.pipeline_id, component, natsUrl) },
    })),
  };
}
