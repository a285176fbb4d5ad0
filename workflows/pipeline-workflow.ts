import { allHandlersFinished, condition, makeContinueAsNewFunc, setHandler, workflowInfo } from '@temporalio/workflow';
import { COMMAND_SIGNALS, COMMAND_UPDATES, statusQuery } from './messages';
import { pipelineOperations } from './operations';
import { PipelineLedger, type StoredLedgerSnapshot } from '../pipeline/pipeline-ledger';
import { PipelineManager } from './pipeline-manager';
import type { PipelineSettings } from '../pipeline/pipeline-settings';
import type { PipelineSpec } from '../pipeline/pipeline-spec';
import { pipelineStatusKey } from './search-attributes';
import { COMMANDS } from '../pipeline/status-machine';

export interface PipelineWorkflowInput {
  spec: PipelineSpec;
  settings: PipelineSettings;
  /** Present when this run continues an earlier one. */
  ledger?: StoredLedgerSnapshot;
}

/** One long-lived workflow per pipeline: it owns the status and drives the orchestrator towards it. */
export async function pipelineWorkflow(input: PipelineWorkflowInput): Promise<void> {
  const { spec, settings } = input;
  const ledger = input.ledger ? PipelineLedger.restore(spec, input.ledger) : PipelineLedger.create(spec, new Date().toISOString());
  const continueAsNewDue = () => workflowInfo().continueAsNewSuggested && allHandlersFinished();
  const manager = new PipelineManager(ledger, settings, pipelineOperations(spec, settings, continueAsNewDue), {
    due: continueAsNewDue,
    continueAsNew: () =>
      makeContinueAsNewFunc<typeof pipelineWorkflow>({
        memo: workflowInfo().memo,
        typedSearchAttributes: [{ key: pipelineStatusKey, value: ledger.status }],
      })({ spec, settings, ledger: ledger.snapshot() }),
  });

  for (const command of COMMANDS) {
    setHandler(COMMAND_UPDATES[command], (request) => manager.onUpdate(command, request), {
      validator: (request) => manager.validate(command, request),
    });
    setHandler(COMMAND_SIGNALS[command], (request) => manager.onSignal(command, request));
  }
  setHandler(statusQuery, () => manager.view());

  await manager.run();
  await condition(allHandlersFinished);
}
