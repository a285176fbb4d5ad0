import {
  ServiceError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcCancelledError,
  isGrpcDeadlineError,
  isGrpcServiceError,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import {
  COMPONENT_NOT_FOUND,
  EDIT_CHECK_FAILED,
  INVALID_SPEC,
  INVALID_TRANSITION,
  OPERATION_FAILED,
  REVISION_NOT_FOUND,
  STREAMS_NOT_EMPTY,
  type InvalidTransitionDetails,
} from '../pipeline/command-failures';
import type { StreamHolding } from '../pipeline/held-streams';
import { ApiError } from './api-error';
import { timeoutError, type TimedCall } from './deadline';

const GRPC_NOT_FOUND = 5;
const GRPC_FAILED_PRECONDITION = 9;
const GRPC_UNAVAILABLE = 14;

/** Maps what Temporal threw while serving `call` about `pipelineId` to the API's answer. */
export function translateTemporalError(error: unknown, pipelineId: string, call: TimedCall): unknown {
  if (error instanceof ApiError) return error;
  if (error instanceof WorkflowNotFoundError) return ApiError.notFound(pipelineId);
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return new ApiError('ALREADY_EXISTS', `pipeline ${pipelineId} already exists`);
  }
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause;
    if (cause instanceof ApplicationFailure && cause.type === INVALID_TRANSITION) {
      return new ApiError('INVALID_TRANSITION', cause.message, { ...(cause.details?.[0] as InvalidTransitionDetails) });
    }
    if (cause instanceof ApplicationFailure && cause.type === STREAMS_NOT_EMPTY) {
      return new ApiError('STREAMS_NOT_EMPTY', cause.message, { streams: (cause.details?.[0] as StreamHolding[] | undefined) ?? [] });
    }
    if (cause instanceof ApplicationFailure && (cause.type === REVISION_NOT_FOUND || cause.type === COMPONENT_NOT_FOUND))
      return new ApiError('NOT_FOUND', cause.message);
    if (cause instanceof ApplicationFailure && cause.type === INVALID_SPEC)
      return new ApiError('VALIDATION_FAILED', cause.message, { fields: {} });
    if (cause instanceof ApplicationFailure && cause.type === EDIT_CHECK_FAILED) return new ApiError('UNAVAILABLE', cause.message);
    // The command was accepted but its work failed after its retries: the pipeline is Failed with this reason.
    if (cause instanceof ApplicationFailure && cause.type === OPERATION_FAILED) {
      return new ApiError('INTERNAL', cause.message, { failure: cause.details?.[0] ?? null });
    }
    return new ApiError('INTERNAL', "the pipeline's workflow failed the request");
  }
  // The server may end a call as cancelled rather than timed out when the deadline passes on its side first.
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(error) || isGrpcCancelledError(error)) {
    return timeoutError(call);
  }
  const code = grpcCodeOf(error);
  if (code === GRPC_NOT_FOUND) return ApiError.notFound(pipelineId);
  if (code === GRPC_UNAVAILABLE) return new ApiError('UNAVAILABLE', `${call.what} failed: Temporal is unreachable`);
  // A workflow whose task keeps failing (a bug or a bad deploy) cannot take messages until a worker fixes it.
  if (code === GRPC_FAILED_PRECONDITION) {
    return new ApiError(
      'UNAVAILABLE',
      `${call.what} failed: the pipeline's workflow cannot take it now (${messageOf(error)}); retry later`,
    );
  }
  return error;
}

export function grpcCodeOf(error: unknown): number | undefined {
  if (isGrpcServiceError(error)) return error.code;
  if (error instanceof ServiceError && isGrpcServiceError(error.cause)) return error.cause.code;
  return undefined;
}

function messageOf(error: unknown): string {
  const grpc = isGrpcServiceError(error)
    ? error
    : error instanceof ServiceError && isGrpcServiceError(error.cause)
      ? error.cause
      : undefined;
  return grpc?.details ?? (error instanceof Error ? error.message : String(error));
}
