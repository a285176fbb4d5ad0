import { ApplicationFailure } from '@temporalio/workflow';
import { INVALID_TRANSITION, type InvalidTransitionDetails } from '../pipeline/command-failures';
import { allowedActions, type Action, type PipelineStatus } from '../pipeline/status-machine';

export function refusalMessage(action: Action, status: PipelineStatus): string {
  return action === 'rolling_edit'
    ? `cannot apply a rolling edit to a pipeline that is ${status}`
    : `cannot ${action} a pipeline that is ${status}`;
}

/** The failure an update validator throws for a command the status machine refuses; the API answers it 409. */
export function invalidTransition(action: Action, status: PipelineStatus): ApplicationFailure {
  const details: InvalidTransitionDetails = { current_status: status, allowed_actions: allowedActions(status) };
  return ApplicationFailure.create({
    type: INVALID_TRANSITION,
    message: refusalMessage(action, status),
    nonRetryable: true,
    details: [details],
  });
}

/** A refusal of another kind than the status: a missing revision or component, a foreign spec. Nothing changes. */
export function refusal(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}
