import { ApiException } from '@kubernetes/client-node';
import { ignoringStatusOf, undefinedIfMissingOf } from '../status-errors';

/** A refused Kubernetes request, with the API server's own message instead of the whole response. */
export class KubernetesRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'KubernetesRequestError';
  }
}

/** The HTTP status of a Kubernetes API error, if it carries one. */
export function kubernetesStatusOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  return error instanceof KubernetesRequestError ? error.status : undefined;
}

/** Awaits a Kubernetes call, treating the given HTTP statuses (such as 404 "already gone") as success. */
export function ignoringStatus(call: Promise<unknown>, ...statuses: number[]): Promise<void> {
  return ignoringStatusOf(kubernetesStatusOf, call, statuses);
}

/** Resolves to undefined when the Kubernetes call answers 404. */
export function undefinedIfMissing<T>(call: Promise<T>): Promise<T | undefined> {
  return undefinedIfMissingOf(kubernetesStatusOf, call);
}

/**
 * Runs a Kubernetes call, replacing an ApiException (whose message holds the whole response, headers included) with
 * an error saying what was done and the API server's own message.
 */
export async function describingFailure<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    throw new KubernetesRequestError(error.code, `Kubernetes refused to ${what}: HTTP ${error.code}${statusMessage(error.body)}`, {
      cause: error,
    });
  }
}

function statusMessage(body: unknown): string {
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const message = (parsed as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? `: ${message}` : '';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
