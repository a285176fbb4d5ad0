import { ApplicationFailure, upsertMemo } from '@temporalio/workflow';
import { STREAMS_NOT_EMPTY } from '../pipeline/command-failures';
import { heldStreamsMessage } from '../pipeline/held-streams';
import type { PipelineLedger, RollingEditPlan } from '../pipeline/pipeline-ledger';
import type { PipelineStatus } from '../pipeline/status-machine';
import type { Operation, PipelineOperations } from './operations';

const now = () => new Date().toISOString();

/**
 * The steps of a rolling edit, each the work of a status it passes through: in Stopping the drain, then the check that
 * no stream the new spec drops still holds messages; in Stopped the edit, at once; in Resuming the resume, on the new
 * spec. A step that fails is named in the failure (`rolling edit to revision 3: drain`). Terminate or a failure ends
 * the rolling edit (the ledger drops it), so no later step runs.
 */
export function rollingEditOperations(ledger: PipelineLedger, operations: PipelineOperations) {
  const forStatus = (status: PipelineStatus): Operation | undefined => {
    const plan = ledger.rollingEdit;
    if (!plan) return undefined;
    switch (status) {
      case 'Stopping':
        return drainThenCheck(plan, operations);
      case 'Stopped':
        return {
          name: stepName(plan, 'edit'),
          run: async () => {
            const cause = {
              command: 'rolling_edit' as const,
              source: 'workflow' as const,
              request_id: plan.request_id,
              reason: 'rolling edit',
            };
            const revision = ledger.applyRollingEdit(cause, now());
            upsertMemo({ ...ledger.statusMemo(), ...ledger.specMemo() });
            return { to: 'Resuming', reason: `rolling edit: revision ${revision.revision} applied after the drain; resuming` };
          },
        };
      case 'Resuming':
        return { name: stepName(plan, 'resume'), run: (operations.forStatus('Resuming') as Operation).run };
      default:
        return undefined;
    }
  };
  return { forStatus };
}

function stepName(plan: RollingEditPlan, step: string): string {
  return `rolling edit to revision ${plan.revision}: ${step}`;
}

function drainThenCheck(plan: RollingEditPlan, operations: PipelineOperations): Operation {
  const drain = operations.forStatus('Stopping') as Operation;
  let step = 'drain';
  return {
    get name() {
      return stepName(plan, step);
    },
    run: async () => {
      const escalation = await drain.run();
      if (escalation) return { ...escalation, reason: `${escalation.reason}; the rolling edit to revision ${plan.revision} is abandoned` };
      step = 'stream check';
      const held = await operations.heldStreamsAfter(plan.spec);
      if (held.length > 0) {
        throw ApplicationFailure.create({
          type: STREAMS_NOT_EMPTY,
          message: heldStreamsMessage(held),
          nonRetryable: true,
          details: [held],
        });
      }
      return undefined;
    },
  };
}
