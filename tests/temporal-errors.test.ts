import { ServiceError } from '@temporalio/client';
import { ApiError } from '../api/api-error';
import { translateTemporalError } from '../api/temporal-errors';

/** A gRPC error as grpc-js shapes it, wrapped the way the Temporal client rethrows it. */
function grpcFailure(code: number, details: string): ServiceError {
  const cause = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
  return new ServiceError('Failed to query Workflow', { cause });
}

describe('translateTemporalError', () => {
  test.each([
    ['a deadline that passed on the client', 4, 'Deadline exceeded'],
    ['a call the server ended as cancelled when the deadline passed on its side', 1, 'context canceled'],
  ])('%s answers 503 UNAVAILABLE naming the pipeline', (_, code, details) => {
    const translated = translateTemporalError(grpcFailure(code, details), 'orders');
    expect(translated).toBeInstanceOf(ApiError);
    expect(translated).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    expect((translated as ApiError).message).toContain('no worker answered for pipeline orders in time');
  });

  test('NOT_FOUND answers 404, UNAVAILABLE says Temporal is unreachable, anything else stays unmapped', () => {
    expect(translateTemporalError(grpcFailure(5, 'workflow not found'), 'orders')).toMatchObject({ code: 'NOT_FOUND' });
    expect(translateTemporalError(grpcFailure(14, 'connection refused'), 'orders')).toMatchObject({ message: 'Temporal is unreachable' });
    const unknown = grpcFailure(13, 'internal');
    expect(translateTemporalError(unknown, 'orders')).toBe(unknown);
  });
});
