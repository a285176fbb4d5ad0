import { ApplicationFailure, upsertMemo } from '@temporalio/workflow';
import { EDIT_CHECK_FAILED, INVALID_SPEC, REVISION_NOT_FOUND, STREAMS_NOT_EMPTY } from '../pipeline/command-failures';
import { heldStreamsMessage, type StreamHolding } from '../pipeline/held-streams';
import type { PipelineLedger, TransitionCause } from '../pipeline/pipeline-ledger';
import type { PipelineSpec } from '../pipeline/pipeline-spec';
import { isSameSpec } from '../pipeline/spec-change';
import type { SpecRevision } from '../pipeline/spec-revisions';
import { decide } from '../pipeline/status-machine';
import { streamGraphProblems } from '../pipeline/stream-graph';
import { failureReasonOf } from './failure-reason';
import type { EditRequest, EditResult } from './messages';
import { invalidTransition, refusal } from './refusals';

const now = () => new Date().toISOString();

/**
 * Edits of one pipeline's spec, one at a time. An edit makes a new revision and changes nothing else: the next resume
 * applies it. Before anything changes, it checks that no stream the new spec drops still holds messages.
 */
export class PipelineEditor {
  /** Edits wait for the one before them, so each checks its streams against the spec it replaces. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ledger: PipelineLedger,
    private readonly heldStreamsAfter: (spec: PipelineSpec) => Promise<StreamHolding[]>,
    private readonly maxAttempts: number,
  ) {}

  /** The update validator: refuses an edit in a status that takes none, a rollback to a missing revision, a foreign spec. */
  validate(request: EditRequest): void {
    if (this.earlierAnswer(request)) return;
    this.refuseUnlessEditable();
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
    this.refuseUnlessEditable();
    const target = this.targetOf(request);
    if (isSameSpec(this.ledger.spec, target)) return this.result('noop', this.ledger.revision(this.ledger.specRevision) as SpecRevision);
    const held = await this.check(target);
    if (held.length > 0) {
      throw ApplicationFailure.create({ type: STREAMS_NOT_EMPTY, message: heldStreamsMessage(held), nonRetryable: true, details: [held] });
    }
    // A command may have moved the pipeline on while the streams were checked: terminate wins over an edit.
    this.refuseUnlessEditable();
    const revision = this.ledger.edit(target, this.causeOf(request), now());
    upsertMemo({ ...this.ledger.statusMemo(), ...this.ledger.specMemo() });
    return this.result('accepted', revision);
  }

  /** The revision an earlier edit with the same request id made: a retry answers with it and changes nothing. */
  private earlierAnswer({ request_id }: EditRequest): SpecRevision | undefined {
    return request_id ? this.ledger.revisionMadeBy(request_id) : undefined;
  }

  private refuseUnlessEditable(): void {
    if (decide('edit', this.ledger.status).outcome === 'refuse') throw invalidTransition('edit', this.ledger.status);
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
    const reason = 'rollback_to' in request ? `rollback to revision ${request.rollback_to} requested` : 'edit requested';
    return { command: 'edit', source: 'api', request_id: request.request_id ?? null, reason };
  }

  private result(outcome: EditResult['outcome'], revision: SpecRevision): EditResult {
    return specAnswer(this.ledger, outcome, revision);
  }
}

/** What a spec command answers: the pipeline's status, and its memo with the spec of `revision`. */
export function specAnswer(ledger: PipelineLedger, outcome: EditResult['outcome'], { spec, revision }: SpecRevision): EditResult {
  return { outcome, status: ledger.status, memo: { ...ledger.statusMemo(), spec, spec_revision: revision } };
}
