import { errors } from '@nats-io/nats-core';
import { ComponentError } from '../errors';

const NATS_UNREACHABLE = 'NatsUnreachable';

/** A failure meaning NATS did not answer, naming the component it was for when there is one; retrying may help. */
export function natsUnreachableError(message: string, component?: string): Error {
  if (component !== undefined) return new ComponentError(component, message, true, NATS_UNREACHABLE);
  const error = new Error(message);
  error.name = NATS_UNREACHABLE;
  return error;
}

/** Whether `error` says that NATS did not answer: a lost connection, a request that timed out or found no responder. */
export function meansNatsUnreachable(error: unknown): error is Error {
  return (
    error instanceof errors.TimeoutError ||
    // A request also fails this way when refused; that is an answer.
    (error instanceof errors.RequestError && !(error.cause instanceof errors.PermissionViolationError)) ||
    error instanceof errors.ConnectionError ||
    error instanceof errors.ClosedConnectionError ||
    error instanceof errors.DrainingConnectionError ||
    // What a JetStream request gets when no server answers its API subject.
    (error instanceof Error && error.name === 'JetStreamNotEnabled')
  );
}

export function isNatsUnreachableError(error: unknown): error is Error {
  return error instanceof Error && error.name === NATS_UNREACHABLE;
}
