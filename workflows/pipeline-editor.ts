import { ApplicationFailure, upsertMemo } from '@temporalio/workflow';
import { EDIT_CHECK_FAILED, INVALID_SPEC, REVISION_NOT_FOUND, STREAMS_NOT_EMPTY } from '../pipeline/command-failures';
import { heldStreamsMessage, type StreamHolding } from '../pipeline/held-streams';
import type { PipelineLedger, TransitionCause } from '../pipeline/pipeline-ledger';
import type { PipelineSpec } from '../pipeline/pipeline-spec';
import { isSameSpec } from '../pipeline/spec-change';
import type { SpecRevision } from '../pipeline/spec-revisions';
import { decide, type Decision } from '../pipeline/status-machine';
import { streamGraphProblems } from '../pipeline/stream-graph';
import { failureReasonOf } from './failure-reason';
import type { EditRequest, EditResult } from './messages';
import { invalidTransition, refusal } from './refusals';

const now = () => new Date().toISOString();

/**
 * Edits of one pipeline's spec, one at a time. An edit makes a new revision and changes nothing else: the next resume
 * applies it. Before anything changes, it checks that no stream the new spec drops still holds messages. A rolling
 * edit of a Running pipeline only starts here.
 */
export class PipelineEditor {
  /** Edits wait for the one before them, so each checks its streams against the spec it replaces. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ledger: PipelineLedger,
    private readonly heldStreamsAfter: (spec: PipelineSpec) => Promise<StreamHolding[]>,
    private readonly maxAttempts: number,
    /** Moves the pipeline as a command does: the start of a rolling edit. */
    private readonly startRollingEdit: (decision: Decision, cause: TransitionCause) => void,
  ) {}

  /** The update validator: refuses an edit in a status that takes none, a rollback to a missing revision, a foreign spec. */
  validate(request: EditRequest): void {
    if (this.earlierAnswer(request)) return;
    this.refuseUnlessEditable(request);
    this.targetOf(request);
  }

  onEdit(request: EditRequest): Promise<EditResult> {
    const turn = this.queue.then(() => this.edit(request));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async edit(request: EditRequest): Promise<EditResult> {
    const earlier = this.earlierAnswer(request);
    if (earlier) return this.result('noop', earlier);
    const decision = this.refuseUnlessEditable(request);
    const target = this.targetOf(request);
    if (isSameSpec(this.ledger.spec, target)) return this.result('noop', this.currentRevision());
    if (decision.outcome === 'transition') return this.beginRollingEdit(target, decision, request);
    const held = await this.check(target);
    if (held.length > 0) {
      throw ApplicationFailure.create({ type: STREAMS_NOT_EMPTY, message: heldStreamsMessage(held), nonRetryable: true, details: [held] });
    }
    // A command may have moved the pipeline on while the streams were checked: terminate wins over an edit.
    this.refuseUnlessEditable(request);
    const revision = this.ledger.edit(target, this.causeOf(request), now());
    upsertMemo({ ...this.ledger.statusMemo(), ...this.ledger.specMemo() });
    return this.result('accepted', revision);
  }

  /**
   * The revision an earlier edit with the same request id made: a retry answers with it and changes nothing. A rolling
   * edit under way, or one that terminate cancelled, answers with the current revision.
   */
  private earlierAnswer({ request_id }: EditRequest): SpecRevision | undefined {
    if (!request_id) return undefined;
    return (
      this.ledger.revisionMadeBy(request_id) ?? (this.ledger.hasApplied('rolling_edit', request_id) ? this.currentRevision() : undefined)
    );
  }

  private currentRevision(): SpecRevision {
    return this.ledger.revision(this.ledger.specRevision) as SpecRevision;
  }

  /** Refuses an edit the status machine refuses, and any other edit while a rolling edit is under way. */
  private refuseUnlessEditable({ rolling }: EditRequest): Decision {
    const action = rolling ? 'rolling_edit' : 'edit';
    const decision = decide(action, this.ledger.status);
    if (decision.outcome === 'refuse' || this.ledger.rollingEdit) throw invalidTransition(action, this.ledger.status);
    return decision;
  }

  /**
   * A rolling edit of a Running pipeline: the pipeline moves to Stopping now, and the workflow drains it, edits and
   * resumes it (workflows/rolling-edit.ts). The streams the new spec drops are checked after the drain, which empties
   * them; checked now, they would hold what is still on its way through.
   */
  private beginRollingEdit(target: PipelineSpec, decision: Decision, { request_id }: EditRequest): EditResult {
    const plan = this.ledger.planRollingEdit(target, request_id ?? null);
    this.startRollingEdit(decision, {
      command: 'rolling_edit',
      source: 'api',
      request_id: request_id ?? null,
      reason: `rolling edit to revision ${plan.revision} requested: drain, edit, resume`,
    });
    return { outcome: 'accepted', status: this.ledger.status, memo: { ...this.ledger.statusMemo(), ...this.ledger.specMemo() } };
  }

  /** The spec the edit asks for. The API validates specs fully; this guards what an operator sends with the CLI. */
  private targetOf(request: EditRequest): PipelineSpec {
    if ('rollback_to' in request) {
      const revision = this.ledger.revision(request.rollback_to);
      if (!revision)
        throw refusal(
          REVISION_NOT_FOUND,
          `pipeline ${this.ledger.spec.pipeline_id} has no revision ${request.rollback_to} to roll back to`,
        );
      return revision.spec;
    }
    const { spec } = request;
    if (spec.pipeline_id !== this.ledger.spec.pipeline_id) {
      throw refusal(INVALID_SPEC, `the spec is for pipeline ${spec.pipeline_id}, not ${this.ledger.spec.pipeline_id}`);
    }
    const problems = streamGraphProblems(spec.components);
    if (problems.length > 0)
      throw refusal(INVALID_SPEC, `the spec breaks the stream graph rules: ${problems.map(({ message }) => message).join('; ')}`);
    return spec;
  }

  private async check(target: PipelineSpec): Promise<StreamHolding[]> {
    try {
      return await this.heldStreamsAfter(target);
    } catch (error) {
      const { error: message } = failureReasonOf('edit', error, this.maxAttempts, now());
      throw refusal(EDIT_CHECK_FAILED, `checking the streams the edit would remove failed, so nothing changed: ${message}`);
    }
  }

  private causeOf(request: EditRequest): TransitionCause {
    const asked = 'rollback_to' in request ? `rollback to revision ${request.rollback_to} requested` : 'edit requested';
    // A rolling edit of a pipeline that is not Running is a plain edit, applied at the next resume.
    const reason = request.rolling
      ? `${asked} as a rolling edit; the pipeline is ${this.ledger.status}, so the next resume applies it`
      : asked;
    return { command: request.rolling ? 'rolling_edit' : 'edit', source: 'api', request_id: request.request_id ?? null, reason };
  }

  private result(outcome: EditResult['outcome'], revision: SpecRevision): EditResult {
    return specAnswer(this.ledger, outcome, revision);
  }
}

/** What a spec command answers: the pipeline's status, and its memo with the spec of `revision`. */
export function specAnswer(ledger: PipelineLedger, outcome: EditResult['outcome'], { spec, revision }: SpecRevision): EditResult {
  return { outcome, status: ledger.status, memo: { ...ledger.statusMemo(), spec, spec_revision: revision } };
}
