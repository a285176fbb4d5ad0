import type { z } from 'zod';
import type { PipelineView } from '../pipeline/pipeline-view';
import { componentHealth } from './component-health';
import type { PipelineRecord } from './pipeline-gateway';
import type { PipelineHealthSchema, PipelineHistorySchema, PipelineSchema, PipelineSummarySchema } from './schemas';

/** Response bodies, typed by the schemas the OpenAPI document is made of, so that neither can drift from the other. */
export function summaryBody({ pipeline_id, pipeline_name, overall_status, created_at, updated_at }: PipelineRecord): z.input<typeof PipelineSummarySchema> {
  return { pipeline_id, pipeline_name, overall_status, created_at, updated_at };
}

export function pipelineBody(record: PipelineRecord): z.input<typeof PipelineSchema> {
  return { ...summaryBody(record), failure: record.failure, spec_revision: record.spec_revision, name: record.spec.name, components: record.spec.components };
}

export function healthBody(record: PipelineRecord): z.input<typeof PipelineHealthSchema> {
  return {
    ...summaryBody(record),
    failure: record.failure,
    spec_revision: record.spec_revision,
    components: componentHealth(record.spec, record.overall_status, record.failure, record.observation),
    observed_at: record.observation?.at ?? null,
  };
}

export function historyBody({ pipeline_id, overall_status, transitions }: PipelineView): z.input<typeof PipelineHistorySchema> {
  return { pipeline_id, overall_status, transitions };
}
