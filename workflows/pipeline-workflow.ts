import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  makeContinueAsNewFunc,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { failureReasonOf } from './failure-reason';
import {
  INVALID_TRANSITION,
  OPERATION_FAILED,
  deleteSignal,
  deleteUpdate,
  resumeSignal,
  resumeUpdate,
  statusQuery,
  stopSignal,
  stopUpdate,
  terminateSignal,
  terminateUpdate,
  type CommandRequest,
  type CommandResult,
} from './messages';
import { pipelineOperations, type Operation } from './operations';
import { LedgerSnapshot, PipelineLedger, type TransitionCause } from './pipeline-ledger';
import type { PipelineSettings } from './pipeline-settings';
import type { PipelineSpec } from './pipeline-spec';
import type { FailureReason, TransitionSource } from './pipeline-view';
import { pipelineStatusKey } from './search-attributes';
import { allowedActions, completionOf, decide, isSettled, type Command, type Decision, type PipelineStatus } from './status-machine';

export interface PipelineWorkflowInput {
  spec: PipelineSpec;
  settings: PipelineSettings;
  /** Present when this run continues an earlier one. */
  ledger?: LedgerSnapshot;
}

interface Deletion {
  outcome?: 'removed' | FailureReason;
}

const now = () => new Date().toISOString();

/** One long-lived workflow per pipeline: it owns the status and drives the orchestrator towards it. */
export async function pipelineWorkflow(input: PipelineWorkflowInput): Promise<void> {
  const { spec, settings } = input;
  const ledger = input.ledger ? PipelineLedger.restore(spec, input.ledger) : PipelineLedger.create(spec, now());
  const continueAsNewDue = () => workflowInfo().continueAsNewSuggested && allHandlersFinished();
  const operations = pipelineOperations(spec, settings, continueAsNewDue);
  let inFlight: CancellationScope | undefined;
  let deletion: Deletion | undefined;

  const apply = (to: PipelineStatus, cause: TransitionCause, failure: FailureReason | null = null) => {
    ledger.transition(to, cause, now(), failure);
    upsertSearchAttributes([{ key: pipelineStatusKey, value: to }]);
    upsertMemo(ledger.statusMemo());
  };

  const evaluate = (command: Command, request?: CommandRequest): Decision => {
    // Temporal deduplicates update ids within one run only; the ledger also remembers requests from earlier runs.
    if (request?.request_id && ledger.hasApplied(command, request.request_id)) return { outcome: 'noop' };
    if (!deletion) return decide(command, ledger.status);
    return command === 'delete' ? { outcome: 'delete' } : { outcome: 'refuse' };
  };

  const refusalMessage = (command: Command) =>
    `cannot ${command} a pipeline that is ${deletion ? 'being deleted' : ledger.status}`;

  const invalidTransition = (command: Command) =>
    ApplicationFailure.create({
      type: INVALID_TRANSITION,
      message: refusalMessage(command),
      nonRetryable: true,
      details: [{ current_status: ledger.status, allowed_actions: deletion ? [] : allowedActions(ledger.status) }],
    });

  const causeOf = (command: Command, source: TransitionSource, request?: CommandRequest): TransitionCause => ({
    command,
    source,
    request_id: request?.request_id ?? null,
    reason: `${command} requested`,
  });

  /** Applies a command that was already found valid; returns what it did. */
  const execute = (decision: Decision, cause: TransitionCause): CommandResult => {
    if (decision.outcome === 'transition') {
      apply(decision.to, cause);
      // The work of the status just left no longer applies: a drain or start that terminate overrides, or a watch.
      inFlight?.cancel();
      return { outcome: 'accepted', status: ledger.status };
    }
    if (decision.outcome === 'delete') deletion ??= {};
    return { outcome: decision.outcome === 'delete' ? 'accepted' : 'noop', status: ledger.status };
  };

  const validatorFor = (command: Command) => (request: CommandRequest) => {
    if (evaluate(command, request).outcome === 'refuse') throw invalidTransition(command);
  };

  const updateHandlerFor = (command: Command) => (request: CommandRequest) => {
    const decision = evaluate(command, request);
    if (decision.outcome === 'refuse') throw invalidTransition(command);
    return execute(decision, causeOf(command, 'api', request));
  };

  const signalHandlerFor = (command: Command) => (request?: CommandRequest) => {
    const decision = evaluate(command, request);
    const cause = causeOf(command, 'signal', request);
    if (decision.outcome === 'refuse') ledger.recordRefusal({ ...cause, reason: refusalMessage(command) }, now());
    else execute(decision, cause);
  };

  setHandler(stopUpdate, updateHandlerFor('stop'), { validator: validatorFor('stop') });
  setHandler(terminateUpdate, updateHandlerFor('terminate'), { validator: validatorFor('terminate') });
  setHandler(resumeUpdate, updateHandlerFor('resume'), { validator: validatorFor('resume') });
  setHandler(
    deleteUpdate,
    async (request: CommandRequest): Promise<CommandResult> => {
      const decision = evaluate('delete', request);
      if (decision.outcome === 'refuse') throw invalidTransition('delete');
      execute(decision, causeOf('delete', 'api', request));
      const pending = deletion as Deletion;
      await condition(() => pending.outcome !== undefined);
      if (pending.outcome !== 'removed') {
        throw ApplicationFailure.create({
          type: OPERATION_FAILED,
          message: `delete failed: ${pending.outcome?.error}`,
          nonRetryable: true,
          details: [pending.outcome],
        });
      }
      return { outcome: 'accepted', status: ledger.status };
    },
    { validator: validatorFor('delete') },
  );
  setHandler(stopSignal, signalHandlerFor('stop'));
  setHandler(terminateSignal, signalHandlerFor('terminate'));
  setHandler(resumeSignal, signalHandlerFor('resume'));
  setHandler(deleteSignal, signalHandlerFor('delete'));
  setHandler(statusQuery, () => ledger.view());

  const workflowCause = (reason: string): TransitionCause => ({ command: null, source: 'workflow', request_id: null, reason });

  const runOperation = async (status: PipelineStatus, operation: Operation) => {
    const scope = new CancellationScope();
    inFlight = scope;
    try {
      const escalation = await scope.run(operation.run);
      if (ledger.status !== status) return;
      if (escalation) {
        apply(escalation.to, workflowCause(escalation.reason));
        return;
      }
      const next = completionOf(status);
      if (next) apply(next, workflowCause(`${operation.name} completed`));
    } catch (error) {
      if (ledger.status !== status) return; // superseded: terminate cancelled this operation
      const failure = failureReasonOf(operation.name, error, settings.max_attempts, now());
      apply('Failed', workflowCause(`${operation.name} failed: ${failure.error}`), failure);
    } finally {
      inFlight = undefined;
    }
  };

  /** Removes the pipeline's resources; true when it is gone. */
  const runDeletion = async (pending: Deletion): Promise<boolean> => {
    try {
      await operations.remove.run();
      pending.outcome = 'removed';
      return true;
    } catch (error) {
      const failure = failureReasonOf(operations.remove.name, error, settings.max_attempts, now());
      deletion = undefined;
      apply('Failed', workflowCause(`delete failed: ${failure.error}`), failure);
      pending.outcome = failure;
      return false;
    }
  };

  for (;;) {
    if (deletion) {
      if (await runDeletion(deletion)) break;
      continue;
    }
    const status = ledger.status;
    if (continueAsNewDue() && isSettled(status)) {
      const continueAsNew = makeContinueAsNewFunc<typeof pipelineWorkflow>({
        memo: workflowInfo().memo,
        typedSearchAttributes: [{ key: pipelineStatusKey, value: status }],
      });
      await continueAsNew({ spec, settings, ledger: ledger.snapshot() });
    }
    const operation = operations.forStatus(status);
    if (operation) {
      await runOperation(status, operation);
      continue;
    }
    await condition(() => ledger.status !== status || deletion !== undefined || continueAsNewDue());
  }
  await condition(allHandlersFinished);
}
