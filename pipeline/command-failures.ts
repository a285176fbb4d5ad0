import type { Action, PipelineStatus } from './status-machine';

/** The failure type of a command the status machine refuses; the API answers it 409. */
export const INVALID_TRANSITION = 'InvalidTransition';

/** The failure type of a command that was accepted but whose work failed after its retries, such as a delete. */
export const OPERATION_FAILED = 'OperationFailed';

/** What an InvalidTransition failure carries; the API answers it as the 409's details. */
export interface InvalidTransitionDetails {
  current_status: PipelineStatus;
  allowed_actions: Action[];
}

/** The failure type of an edit refused because streams it would remove still hold messages; the API answers it 409. */
export const STREAMS_NOT_EMPTY = 'StreamsNotEmpty';

/** The failure type of a rollback to a revision the pipeline does not have (any more); the API answers it 404. */
export const REVISION_NOT_FOUND = 'RevisionNotFound';

/** The failure type of a scale of a component the pipeline does not have; the API answers it 404. */
export const COMPONENT_NOT_FOUND = 'ComponentNotFound';

/** The failure type of an edit whose check of the streams failed; nothing changed, and the API answers it 503. */
export const EDIT_CHECK_FAILED = 'EditCheckFailed';

/** The failure type of an edit whose spec is for another pipeline or breaks the stream graph rules. */
export const INVALID_SPEC = 'InvalidSpec';

/** The failure type of a command whose request is malformed, such as a settle_within_ms out of range. */
export const INVALID_REQUEST = 'InvalidRequest';
