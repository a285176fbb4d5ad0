import type { Command, PipelineStatus } from './status-machine';

/** The failure type of a command the status machine refuses; the API answers it 409. */
export const INVALID_TRANSITION = 'InvalidTransition';

/** The failure type of a command that was accepted but whose work failed after its retries, such as a delete. */
export const OPERATION_FAILED = 'OperationFailed';

/** What an InvalidTransition failure carries; the API answers it as the 409's details. */
export interface InvalidTransitionDetails {
  current_status: PipelineStatus;
  allowed_actions: Command[];
}
