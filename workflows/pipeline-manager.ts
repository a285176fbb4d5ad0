import { ApplicationFailure, CancellationScope, condition, patched, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { failureReasonOf } from './failure-reason';
import { INVALID_REQUEST, OPERATION_FAILED } from '../pipeline/command-failures';
import { MAX_SETTLE_WITHIN_MS, type CommandRequest, type CommandResult } from './messages';
import type { Operation, PipelineOperations } from './operations';
import type { PipelineLedger, TransitionCause } from '../pipeline/pipeline-ledger';
import type { PipelineSettings } from '../pipeline/pipeline-settings';
import type { FailureReason, PipelineView, TransitionSource } from '../pipeline/pipeline-view';
import { invalidTransition, refusal, refusalMessage } from './refusals';
import { pipelineStatusKey } from './search-attributes';
import { completionOf, decide, isSettled, type Command, type Decision, type PipelineStatus } from '../pipeline/status-machine';

/**
 * Runs that started before Deleting existed kept deletion beside the status and never published it; replaying them,
 * the move to Deleting stays in the ledger alone.
 */
const DELETING_STATUS_PATCH = 'deleting-status';

const now = () => new Date().toISOString();

const workflowCause = (reason: string): TransitionCause => ({ command: null, source: 'workflow', request_id: null, reason });

/** How a run hands its pipeline on to a new run, so that its history stays bounded. */
export interface RunLifetime {
  /** Whether the server suggests a new run and no handler is still busy. */
  due(): boolean;
  continueAsNew(): Promise<never>;
}

/**
 * The state and decisions of one pipeline's workflow: the handlers call it, and its `run` drives the orchestrator
 * towards the current status until the pipeline is gone.
 */
export class PipelineManager {
  /** The work of the current status, cancelled when a command moves the pipeline on. */
  private inFlight?: CancellationScope;
  private gone = false;

  constructor(
    readonly ledger: PipelineLedger,
    private readonly settings: PipelineSettings,
    private readonly operations: PipelineOperations,
    private readonly lifetime: RunLifetime,
  ) {}

  get status(): PipelineStatus {
    return this.ledger.status;
  }

  view(): PipelineView {
    return this.ledger.view();
  }

  /** The update validator: refuses a malformed request, or a command that contradicts the status, changing nothing. */
  validate(command: Command, request: CommandRequest): void {
    const within = request?.settle_within_ms;
    if (within !== undefined && !(Number.isSafeInteger(within) && within >= 1 && within <= MAX_SETTLE_WITHIN_MS))
      throw refusal(INVALID_REQUEST, `settle_within_ms must be a whole number of milliseconds from 1 to ${MAX_SETTLE_WITHIN_MS}`);
    if (this.decisionFor(command, request).outcome === 'refuse') throw invalidTransition(command, this.status);
  }

  /**
   * An update the validator accepted. A delete answers once the pipeline is gone, or fails with the removal; with
   * settle_within_ms, another command answers once the pipeline settles or starts deleting, or that time passes.
   */
  async onUpdate(command: Command, request: CommandRequest): Promise<CommandResult> {
    const decision = this.decisionFor(command, request);
    this.execute(decision, this.causeOf(command, 'api', request));
    const outcome = decision.outcome === 'noop' ? 'noop' : 'accepted';
    if (command === 'delete') await this.untilRemoved();
    else if (request?.settle_within_ms !== undefined) {
      await condition(() => isSettled(this.status) || this.status === 'Deleting', request.settle_within_ms);
      return { outcome, status: this.status, memo: { ...this.ledger.statusMemo(), ...this.ledger.specMemo() } };
    }
    return { outcome, status: this.status };
  }

  /** A signal changes what an update would; a refused one is only recorded. */
  onSignal(command: Command, request?: CommandRequest): void {
    const decision = this.decisionFor(command, request);
    const cause = this.causeOf(command, 'signal', request);
    if (decision.outcome === 'refuse') this.ledger.recordRefusal({ ...cause, reason: refusalMessage(command, this.status) }, now());
    else this.execute(decision, cause);
  }

  /** Carries out the work of each status in turn until the pipeline is gone; continues as new only while settled. */
  async run(): Promise<void> {
    while (!this.gone) {
      const status = this.status;
      if (isSettled(status) && this.lifetime.due()) await this.lifetime.continueAsNew();
      const operation = this.operations.forStatus(status);
      if (operation) await this.runOperation(status, operation);
      else await condition(() => this.status !== status || this.lifetime.due());
    }
  }

  private decisionFor(command: Command, request?: CommandRequest): Decision {
    // Temporal deduplicates update ids within one run only; the ledger also remembers requests from earlier runs.
    // A delete needs no such memory: in Deleting it joins the removal, and once gone the pipeline answers 404.
    const requestId = request?.request_id;
    if (command !== 'delete' && requestId && this.ledger.hasApplied(command, requestId)) return { outcome: 'noop' };
    return decide(command, this.status);
  }

  /** Moves the pipeline as an accepted command does, cancelling the work of the status it leaves. */
  execute(decision: Decision, cause: TransitionCause): void {
    if (decision.outcome !== 'transition') return;
    const announce = decision.to !== 'Deleting' || patched(DELETING_STATUS_PATCH);
    this.apply(decision.to, cause, null, announce);
    // The work of the status just left no longer applies: a drain or start that terminate overrides, or a watch.
    this.inFlight?.cancel();
  }

  private apply(to: PipelineStatus, cause: TransitionCause, failure: FailureReason | null = null, announce = true): void {
    this.ledger.transition(to, cause, now(), failure);
    if (!announce) return;
    upsertSearchAttributes([{ key: pipelineStatusKey, value: to }]);
    upsertMemo(this.ledger.statusMemo());
  }

  private async untilRemoved(): Promise<void> {
    await condition(() => this.gone || this.status !== 'Deleting');
    if (this.gone) return;
    const failure = this.ledger.snapshot().failure;
    throw ApplicationFailure.create({
      type: OPERATION_FAILED,
      message: `delete failed: ${failure?.error ?? `the pipeline is ${this.status}`}`,
      nonRetryable: true,
      details: [failure],
    });
  }

  private async runOperation(status: PipelineStatus, operation: Operation): Promise<void> {
    const scope = new CancellationScope();
    this.inFlight = scope;
    try {
      const escalation = await scope.run(operation.run);
      if (this.status !== status) return;
      if (escalation) {
        this.apply(escalation.to, workflowCause(escalation.reason));
        return;
      }
      const next = completionOf(status);
      if (next === 'gone') this.gone = true;
      else if (next) this.apply(next, workflowCause(`${operation.name} completed`));
    } catch (error) {
      if (this.status !== status) return; // superseded: terminate cancelled this operation
      const failure = failureReasonOf(operation.name, error, this.settings.max_attempts, now());
      this.apply('Failed', workflowCause(`${operation.name} failed: ${failure.error}`), failure);
    } finally {
      this.inFlight = undefined;
    }
  }

  private causeOf(command: Command, source: TransitionSource, request?: CommandRequest): TransitionCause {
    return { command, source, request_id: request?.request_id ?? null, reason: `${command} requested` };
  }
}
