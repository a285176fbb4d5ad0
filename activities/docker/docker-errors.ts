import { ignoringStatusOf, undefinedIfMissingOf } from '../status-errors';

/** The HTTP status of a Docker Engine API error, if it carries one. */
export function dockerStatusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Awaits a Docker call, treating the given HTTP statuses (such as 304 "already stopped") as success. */
export function ignoringStatus(call: Promise<unknown>, ...statuses: number[]): Promise<void> {
  return ignoringStatusOf(dockerStatusOf, call, statuses);
}

/** Resolves to undefined when the Docker call answers 404. */
export function undefinedIfMissing<T>(call: Promise<T>): Promise<T | undefined> {
  return undefinedIfMissingOf(dockerStatusOf, call);
}
