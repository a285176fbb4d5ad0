import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PipelineView } from './pipeline-view';
import type { PipelineStatus } from './status-machine';

/** Optional argument of every command; the API always sends a request id. */
export interface CommandRequest {
  request_id?: string;
}

export interface CommandResult {
  outcome: 'accepted' | 'noop';
  status: PipelineStatus;
}

export const stopUpdate = defineUpdate<CommandResult, [CommandRequest]>('stop');
export const terminateUpdate = defineUpdate<CommandResult, [CommandRequest]>('terminate');
export const resumeUpdate = defineUpdate<CommandResult, [CommandRequest]>('resume');
export const deleteUpdate = defineUpdate<CommandResult, [CommandRequest]>('delete');

export const stopSignal = defineSignal<[CommandRequest?]>('stop');
export const terminateSignal = defineSignal<[CommandRequest?]>('terminate');
export const resumeSignal = defineSignal<[CommandRequest?]>('resume');
export const deleteSignal = defineSignal<[CommandRequest?]>('delete');

export const statusQuery = defineQuery<PipelineView>('status');

/** Failure types the API maps to HTTP answers. */
export const INVALID_TRANSITION = 'InvalidTransition';
export const OPERATION_FAILED = 'OperationFailed';
