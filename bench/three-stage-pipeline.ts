import type { ComponentSpec } from '../workflows/pipeline-spec';
import type { ConsumingComponent } from './jetstream-probe';

const REFERENCE_IMAGE = 'weir/reference-component:dev';

/** The file in the pipeline's data volume the sink appends to. */
export const SINK_FILE = 'sink.jsonl';

export const SOURCE_OUTPUT = 'raw';
export const TRANSFORM: ConsumingComponent = { component: 'transform', stream: SOURCE_OUTPUT };
export const SINK: ConsumingComponent = { component: 'sink', stream: 'clean' };

/** source → transform (passthrough) → file sink, the source publishing `messages` as fast as it can. */
export function threeStageComponents(messages: number): ComponentSpec[] {
  return [
    { name: 'source', image: REFERENCE_IMAGE, replicas: 1, output: SOURCE_OUTPUT, env: { SOURCE_COUNT: String(messages) } },
    { name: TRANSFORM.component, image: REFERENCE_IMAGE, replicas: 1, input: TRANSFORM.stream, output: SINK.stream },
    { name: SINK.component, image: REFERENCE_IMAGE, replicas: 1, input: SINK.stream, env: { SINK_FILE: `/weir-data/${SINK_FILE}` } },
  ];
}
