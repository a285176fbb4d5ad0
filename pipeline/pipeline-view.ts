import type { PipelineSpec } from './pipeline-spec';
import type { SpecChange } from './spec-change';
import type { Action, PipelineStatus } from './status-machine';

/** Why a pipeline is Failed. */
export interface FailureReason {
  operation: string;
  component: string | null;
  error: string;
  attempts: number | null;
  at: string;
}

/** Who caused a transition: the API (an update), an operator (a signal) or the workflow itself. */
export const TRANSITION_SOURCES = ['api', 'signal', 'workflow'] as const;
export type TransitionSource = (typeof TRANSITION_SOURCES)[number];

export const TRANSITION_OUTCOMES = ['applied', 'refused'] as const;
export type TransitionOutcome = (typeof TRANSITION_OUTCOMES)[number];

export interface TransitionRecord {
  /**
   * Counts the pipeline's records from 1, across continue-as-new and however many records are kept: a stable id,
   * which the event stream sends as the event id.
   */
  seq: number;
  at: string;
  from: PipelineStatus;
  to: PipelineStatus;
  command: Action | null;
  source: TransitionSource;
  request_id: string | null;
  reason: string;
  /** `refused` records a signal that was invalid in `from`; the status did not change. */
  outcome: TransitionOutcome;
  /** On an edit: the revision it made, and what it changed. */
  spec_revision?: number;
  spec_change?: SpecChange;
  /** While a rolling edit is under way, on each of its records: the revision it rolls out. */
  rolling_edit?: number;
}

/** The full view returned by the `status` query. */
export interface PipelineView {
  pipeline_id: string;
  pipeline_name: string;
  overall_status: PipelineStatus;
  created_at: string;
  updated_at: string;
  failure: FailureReason | null;
  spec: PipelineSpec;
  spec_revision: number;
  /** While a rolling edit is under way: the revision it rolls out. */
  rolling_edit?: number | null;
  transitions: TransitionRecord[];
}

/** What the workflow keeps in its memo, so health can be read without a worker. */
export interface PipelineMemo {
  pipeline_name: string;
  created_at: string;
  updated_at: string;
  failure: FailureReason | null;
  spec: PipelineSpec;
  /** The revision of `spec`; absent until the first edit, meaning 1. */
  spec_revision?: number;
  /** While a rolling edit is under way: the revision it rolls out; null or absent otherwise. */
  rolling_edit?: number | null;
  /** The X-Request-Id of the create, so a retried create is recognised; absent on pipelines created before it was kept. */
  create_request_id?: string;
}
