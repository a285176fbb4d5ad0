/** Reads the HTTP status an engine's client put on a failed call, if any. */
export type StatusOf = (error: unknown) => number | undefined;

/** Awaits a call, treating the given HTTP statuses (as `statusOf` reads them off its error) as success. */
export async function ignoringStatusOf(statusOf: StatusOf, call: Promise<unknown>, statuses: number[]): Promise<void> {
  try {
    await call;
  } catch (error) {
    const status = statusOf(error);
    if (status === undefined || !statuses.includes(status)) throw error;
  }
}

/** Resolves to undefined when the call fails with 404, as `statusOf` reads it off its error. */
export async function undefinedIfMissingOf<T>(statusOf: StatusOf, call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}
