import {
  ServiceError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcCancelledError,
  isGrpcDeadlineError,
  isGrpcServiceError,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { INVALID_TRANSITION } from '../workflows/messages';
import { ApiError } from './api-error';

const GRPC_UNAVAILABLE = 14;
const GRPC_NOT_FOUND = 5;

/** Maps what Temporal threw while serving a request about `pipelineId` to the API's answer. */
export function translateTemporalError(error: unknown, pipelineId: string): unknown {
  if (error instanceof ApiError) return error;
  if (error instanceof WorkflowNotFoundError) return ApiError.notFound(pipelineId);
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return new ApiError('ALREADY_EXISTS', `pipeline ${pipelineId} already exists`);
  }
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause;
    if (cause instanceof ApplicationFailure && cause.type === INVALID_TRANSITION) {
      return new ApiError('INVALID_TRANSITION', cause.message, cause.details?.[0] as Record<string, unknown>);
    }
    return new ApiError('INTERNAL', cause?.message ?? error.message);
  }
  // The server may end a call as cancelled rather than timed out when the deadline passes on its side first.
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(error) || isGrpcCancelledError(error)) {
    return new ApiError('UNAVAILABLE', `no worker answered for pipeline ${pipelineId} in time; retry with the same X-Request-Id`);
  }
  const grpc = grpcErrorOf(error);
  if (grpc?.code === GRPC_NOT_FOUND) return ApiError.notFound(pipelineId);
  if (grpc?.code === GRPC_UNAVAILABLE) return new ApiError('UNAVAILABLE', 'Temporal is unreachable');
  return error;
}

function grpcErrorOf(error: unknown) {
  if (isGrpcServiceError(error)) return error;
  if (error instanceof ServiceError && isGrpcServiceError(error.cause)) return error.cause;
  return undefined;
}
