/** The HTTP status of a Docker Engine API error, if it carries one. */
export function dockerStatusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Awaits a Docker call, treating the given HTTP statuses (such as 304 "already stopped") as success. */
export async function ignoringStatus(call: Promise<unknown>, ...statuses: number[]): Promise<void> {
  try {
    await call;
  } catch (error) {
    const status = dockerStatusOf(error);
    if (status === undefined || !statuses.includes(status)) throw error;
  }
}

/** Resolves to undefined when the Docker call answers 404. */
export async function undefinedIfMissing<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (dockerStatusOf(error) === 404) return undefined;
    throw error;
  }
}
