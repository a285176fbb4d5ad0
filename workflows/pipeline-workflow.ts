import { allHandlersFinished, condition, makeContinueAsNewFunc, setHandler, workflowInfo } from '@temporalio/workflow';
import { ComponentScaler } from './component-scaler';
import { COMMAND_SIGNALS, COMMAND_UPDATES, editUpdate, revisionQuery, scaleUpdate, statusQuery } from './messages';
import { pipelineOperations } from './operations';
import { PipelineLedger, type StoredLedgerSnapshot } from '../pipeline/pipeline-ledger';
import { PipelineEditor } from './pipeline-editor';
import { PipelineManager } from './pipeline-manager';
import { withSettingDefaults, type PipelineSettings } from '../pipeline/pipeline-settings';
import type { PipelineSpec } from '../pipeline/pipeline-spec';
import { pipelineStatusKey } from './search-attributes';
import { COMMANDS, type PipelineStatus } from '../pipeline/status-machine';
import { rollingEditOperations } from './rolling-edit';

export interface PipelineWorkflowInput {
  /** The current spec; a continued run also carries every kept revision in `ledger`. */
  spec: PipelineSpec;
  settings: PipelineSettings;
  /** Present when this run continues an earlier one. */
  ledger?: StoredLedgerSnapshot;
}

/** One long-lived workflow per pipeline: it owns the status and drives the orchestrator towards it. */
export async function pipelineWorkflow(input: PipelineWorkflowInput): Promise<void> {
  const { spec, settings } = input;
  const ledger = input.ledger ? PipelineLedger.restore(spec, input.ledger) : PipelineLedger.create(spec, new Date().toISOString());
  const scaler = new ComponentScaler(ledger);
  // A live scale not yet applied is state no new run would know of, so the run continues as new only once it is applied.
  const continueAsNewDue = () => workflowInfo().continueAsNewSuggested && allHandlersFinished() && !scaler.any();
  const operations = pipelineOperations(() => ledger.spec, settings, continueAsNewDue, scaler);
  const rollingEdit = rollingEditOperations(ledger, operations);
  const forStatus = (status: PipelineStatus) => rollingEdit.forStatus(status) ?? operations.forStatus(status);
  const manager = new PipelineManager(
    ledger,
    settings,
    { ...operations, forStatus },
    {
      due: continueAsNewDue,
      continueAsNew: () =>
        makeContinueAsNewFunc<typeof pipelineWorkflow>({
          memo: workflowInfo().memo,
          typedSearchAttributes: [{ key: pipelineStatusKey, value: ledger.status }],
        })({ spec: ledger.spec, settings, ledger: ledger.snapshot() }),
    },
  );
  const editor = new PipelineEditor(ledger, operations.heldStreamsAfter, withSettingDefaults(settings).max_attempts, (decision, cause) =>
    manager.execute(decision, cause),
  );

  for (const command of COMMANDS) {
    setHandler(COMMAND_UPDATES[command], (request) => manager.onUpdate(command, request), {
      validator: (request) => manager.validate(command, request),
    });
    setHandler(COMMAND_SIGNALS[command], (request) => manager.onSignal(command, request));
  }
  setHandler(editUpdate, (request) => editor.onEdit(request), { validator: (request) => editor.validate(request) });
  setHandler(scaleUpdate, (request) => scaler.onScale(request), { validator: (request) => scaler.validate(request) });
  setHandler(statusQuery, () => manager.view());
  setHandler(revisionQuery, (revision) => ledger.revision(revision) ?? null);

  await manager.run();
  await condition(allHandlersFinished);
}
