import type { PipelineSpec } from './pipeline-spec';
import type { FailureReason, PipelineMemo, PipelineView, TransitionRecord, TransitionSource } from './pipeline-view';
import { describeChange, specChange } from './spec-change';
import { SpecRevisions, type RevisionsSnapshot, type SpecRevision } from './spec-revisions';
import type { Action, PipelineStatus } from './status-machine';

/** How many transitions a pipeline keeps; older ones are dropped first. */
export const TRANSITION_HISTORY_LIMIT = 200;

export interface LedgerSnapshot {
  status: PipelineStatus;
  created_at: string;
  updated_at: string;
  failure: FailureReason | null;
  transitions: TransitionRecord[];
  /** The revisions of the spec; absent while the pipeline has never been edited. */
  revisions?: RevisionsSnapshot;
  /** The rolling edit under way, if any. */
  rolling_edit?: RollingEditPlan;
}

/** A rolling edit under way: the spec it applies once the drain has stopped the pipeline, and the revision it makes. */
export interface RollingEditPlan {
  spec: PipelineSpec;
  revision: number;
  request_id: string | null;
}

/** The statuses a rolling edit passes through after Running; any other move ends it. */
const ROLLING_EDIT_PATH: readonly PipelineStatus[] = ['Stopping', 'Stopped', 'Resuming'];

/** A snapshot as an earlier run may have handed it on: runs from before sequence numbers existed recorded none. */
export type StoredLedgerSnapshot = Omit<LedgerSnapshot, 'transitions'> & {
  transitions: Array<Omit<TransitionRecord, 'seq'> & { seq?: number }>;
};

export interface TransitionCause {
  command: Action | null;
  source: TransitionSource;
  request_id: string | null;
  reason: string;
}

/** The status and spec of one pipeline and the bounded record of how they got there. Pure: times are passed in. */
export class PipelineLedger {
  private state: Omit<LedgerSnapshot, 'revisions'>;
  private readonly revisions: SpecRevisions;

  private constructor(spec: PipelineSpec, { revisions, ...snapshot }: LedgerSnapshot) {
    this.state = { ...snapshot, transitions: [...snapshot.transitions] };
    this.revisions = SpecRevisions.restore(spec, snapshot.created_at, revisions);
  }

  static create(spec: PipelineSpec, now: string): PipelineLedger {
    return new PipelineLedger(spec, { status: 'Created', created_at: now, updated_at: now, failure: null, transitions: [] });
  }

  static restore(spec: PipelineSpec, snapshot: StoredLedgerSnapshot): PipelineLedger {
    // Records kept before sequence numbers existed are numbered once, here, in the order they were kept.
    const transitions = snapshot.transitions.map((record, index) => ({ ...record, seq: record.seq ?? index + 1 }));
    return new PipelineLedger(spec, { ...snapshot, transitions });
  }

  get status(): PipelineStatus {
    return this.state.status;
  }

  /** The current spec: the one the next deploy or resume runs. */
  get spec(): PipelineSpec {
    return this.revisions.current.spec;
  }

  get specRevision(): number {
    return this.revisions.current.revision;
  }

  revision(revision: number): SpecRevision | undefined {
    return this.revisions.find(revision);
  }

  /** The revision an edit with this request id made, as far as the kept revisions reach. */
  revisionMadeBy(requestId: string): SpecRevision | undefined {
    return this.revisions.madeBy(requestId);
  }

  get rollingEdit(): RollingEditPlan | undefined {
    return this.state.rolling_edit;
  }

  /**
   * Starts a rolling edit to `spec`; the caller then moves the pipeline to Stopping. Until the pipeline is Running
   * again, or leaves the way there (terminate, a failure), every record carries the revision the edit makes.
   */
  planRollingEdit(spec: PipelineSpec, requestId: string | null): RollingEditPlan {
    const plan = { spec, revision: this.specRevision + 1, request_id: requestId };
    this.state.rolling_edit = plan;
    return plan;
  }

  /** The rolling edit's own edit, once its drain has stopped the pipeline. */
  applyRollingEdit(cause: TransitionCause, now: string): SpecRevision {
    const plan = this.state.rolling_edit;
    if (!plan) throw new Error('no rolling edit is under way');
    return this.edit(plan.spec, { ...cause, request_id: plan.request_id }, now);
  }

  /** Makes `spec` the next revision and records what changed; the status stays. */
  edit(spec: PipelineSpec, cause: TransitionCause, now: string): SpecRevision {
    const change = specChange(this.spec, spec);
    const revision = this.revisions.add(spec, now, cause.request_id);
    const reason = `${cause.reason}: revision ${revision.revision}${describeChange(change) ? `, ${describeChange(change)}` : ''}`;
    const status = this.state.status;
    this.append({
      at: now,
      from: status,
      to: status,
      ...cause,
      reason,
      outcome: 'applied',
      spec_revision: revision.revision,
      spec_change: change,
    });
    this.state.updated_at = now;
    return revision;
  }

  transition(to: PipelineStatus, cause: TransitionCause, now: string, failure: FailureReason | null = null): void {
    this.append({ at: now, from: this.state.status, to, ...cause, outcome: 'applied' });
    if (!ROLLING_EDIT_PATH.includes(to)) delete this.state.rolling_edit;
    this.state.status = to;
    this.state.updated_at = now;
    this.state.failure = to === 'Failed' ? failure : null;
  }

  recordRefusal(cause: TransitionCause, now: string): void {
    this.append({ at: now, from: this.state.status, to: this.state.status, ...cause, outcome: 'refused' });
  }

  /** Whether a request with this id already applied this command, as far as the kept history reaches. */
  hasApplied(command: Action, requestId: string): boolean {
    return this.state.transitions.some(
      (record) => record.outcome === 'applied' && record.command === command && record.request_id === requestId,
    );
  }

  snapshot(): LedgerSnapshot {
    const revisions = this.revisions.snapshot();
    return { ...this.state, transitions: [...this.state.transitions], ...(revisions ? { revisions } : {}) };
  }

  /** The memo fields that change with the status; the spec is written at create and at each edit (specMemo). */
  statusMemo(): Omit<PipelineMemo, 'spec'> {
    const { created_at, updated_at, failure, rolling_edit } = this.state;
    return { pipeline_name: this.spec.name, created_at, updated_at, failure, rolling_edit: rolling_edit?.revision ?? null };
  }

  specMemo(): Pick<PipelineMemo, 'spec' | 'spec_revision'> {
    return { spec: this.spec, spec_revision: this.specRevision };
  }

  view(): PipelineView {
    const { status, created_at, updated_at, failure, transitions, rolling_edit } = this.state;
    return {
      pipeline_id: this.spec.pipeline_id,
      pipeline_name: this.spec.name,
      overall_status: status,
      created_at,
      updated_at,
      failure,
      spec: this.spec,
      spec_revision: this.specRevision,
      ...(rolling_edit ? { rolling_edit: rolling_edit.revision } : {}),
      transitions: [...transitions],
    };
  }

  private append(record: Omit<TransitionRecord, 'seq'>): void {
    const last = this.state.transitions[this.state.transitions.length - 1];
    const rolling = this.state.rolling_edit;
    this.state.transitions.push({ seq: (last?.seq ?? 0) + 1, ...record, ...(rolling ? { rolling_edit: rolling.revision } : {}) });
    const excess = this.state.transitions.length - TRANSITION_HISTORY_LIMIT;
    if (excess > 0) this.state.transitions.splice(0, excess);
  }
}
