import { ServiceError } from '@temporalio/client';
import { ApiError } from '../../api/api-error';
import { timedCall } from '../../api/deadline';
import { translateTemporalError } from '../../api/temporal-errors';

/** A gRPC error as grpc-js shapes it, wrapped the way the Temporal client rethrows it. */
function grpcFailure(code: number, details: string): ServiceError {
  const cause = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
  return new ServiceError('Failed to query Workflow', { cause });
}

const stopCall = timedCall('waiting for a worker to accept the stop of pipeline orders', 3000, true);
const readCall = timedCall('reading pipeline orders', 3000);

describe('translateTemporalError', () => {
  test.each([
    ['a deadline that passed on the client', 4, 'Deadline exceeded'],
    ['a call the server ended as cancelled when the deadline passed on its side', 1, 'context canceled'],
  ])('%s answers 503 UNAVAILABLE naming what timed out', (_, code, details) => {
    const translated = translateTemporalError(grpcFailure(code, details), 'orders', stopCall);
    expect(translated).toBeInstanceOf(ApiError);
    expect(translated).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    expect((translated as ApiError).message).toBe(
      'waiting for a worker to accept the stop of pipeline orders timed out after 3 s; retry with the same X-Request-Id',
    );
  });

  test('a timeout of a call that is not resumable gives no retry hint', () => {
    expect(translateTemporalError(grpcFailure(4, 'Deadline exceeded'), 'orders', readCall)).toMatchObject({
      message: 'reading pipeline orders timed out after 3 s',
    });
  });

  test('a workflow task in failed state answers 503, retryable, not 500', () => {
    const translated = translateTemporalError(grpcFailure(9, 'Workflow Task in failed state.'), 'orders', stopCall);
    expect(translated).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    expect((translated as ApiError).message).toContain('Workflow Task in failed state');
  });

  test('NOT_FOUND answers 404, UNAVAILABLE says Temporal is unreachable, anything else stays unmapped', () => {
    expect(translateTemporalError(grpcFailure(5, 'workflow not found'), 'orders', readCall)).toMatchObject({ code: 'NOT_FOUND' });
    expect(translateTemporalError(grpcFailure(14, 'connection refused'), 'orders', readCall)).toMatchObject({
      message: 'reading pipeline orders failed: Temporal is unreachable',
    });
    const unknown = grpcFailure(13, 'internal');
    expect(translateTemporalError(unknown, 'orders', readCall)).toBe(unknown);
  });
});
