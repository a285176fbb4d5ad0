import { SINK_INPUT, SOURCE_OUTPUT } from '../harness/pipeline-data';
import type { ConsumingComponent } from './jetstream-probe';

/** The consumers of the three-stage pipeline of harness/pipeline-data.ts. */
export const TRANSFORM: ConsumingComponent = { component: 'transform', stream: SOURCE_OUTPUT };
export const SINK: ConsumingComponent = { component: 'sink', stream: SINK_INPUT };
