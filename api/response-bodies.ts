import type { z } from 'zod';
import type { PipelineView } from '../pipeline/pipeline-view';
import { allowedActions } from '../pipeline/status-machine';
import { componentHealth } from './component-health';
import type { PipelineRecord } from './pipeline-gateway';
import type {
  DrainEventSchema,
  HealthEventSchema,
  PipelineHealthSchema,
  PipelineHistorySchema,
  PipelineSchema,
  PipelineSummarySchema,
  TransitionEventSchema,
} from './schemas';
import type { DrainProgress } from '../pipeline/heartbeat-details';
import type { TransitionRecord } from '../pipeline/pipeline-view';

/** Response bodies, typed by the schemas the OpenAPI document is made of, so that neither can drift from the other. */
export function summaryBody({
  pipeline_id,
  pipeline_name,
  overall_status,
  created_at,
  updated_at,
}: PipelineRecord): z.input<typeof PipelineSummarySchema> {
  return { pipeline_id, pipeline_name, overall_status, created_at, updated_at };
}

/** The revision a rolling edit under way rolls out, as a field only while there is one. */
function rollingEditOf({ rolling_edit }: PipelineRecord): { rolling_edit?: number } {
  return typeof rolling_edit === 'number' ? { rolling_edit } : {};
}

export function pipelineBody(record: PipelineRecord): z.input<typeof PipelineSchema> {
  return {
    ...summaryBody(record),
    failure: record.failure,
    spec_revision: record.spec_revision,
    ...rollingEditOf(record),
    name: record.spec.name,
    components: record.spec.components,
  };
}

export function healthBody(record: PipelineRecord): z.input<typeof PipelineHealthSchema> {
  return {
    ...summaryBody(record),
    failure: record.failure,
    spec_revision: record.spec_revision,
    ...rollingEditOf(record),
    components: componentHealth(record.spec, record.overall_status, record.failure, record.observation),
    observed_at: record.observation?.at ?? null,
    allowed_actions: allowedActions(record.overall_status),
  };
}

export function historyBody({ pipeline_id, overall_status, transitions }: PipelineView): z.input<typeof PipelineHistorySchema> {
  return { pipeline_id, overall_status, transitions };
}

export function transitionEventBody(pipelineId: string, record: TransitionRecord): z.input<typeof TransitionEventSchema> {
  return { pipeline_id: pipelineId, ...record };
}

export function healthEventBody(record: PipelineRecord): z.input<typeof HealthEventSchema> {
  const { pipeline_id, overall_status, components, observed_at } = healthBody(record);
  return { pipeline_id, overall_status, components, observed_at };
}

export function drainEventBody(pipelineId: string, progress: DrainProgress, observedAt: string | null): z.input<typeof DrainEventSchema> {
  return { pipeline_id: pipelineId, stopped: progress.stopped, unfinished: progress.unfinished, observed_at: observedAt };
}
