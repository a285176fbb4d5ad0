/**
 * `load`, called at most once per `ttlMs`: callers within that time share its last result, or the call in flight.
 * A failure is not kept, so the next caller tries again.
 */
export function cachedFor<T>(ttlMs: number, load: () => Promise<T>): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (cached && performance.now() - cached.at < ttlMs) return cached.value;
    const value = load();
    const entry = { at: performance.now(), value };
    cached = entry;
    value.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return value;
  };
}

/**
 * Calls by key: callers that ask while a call for the same key is in flight share it; a caller after it settled
 * starts a new one, so nothing is kept beyond the call itself.
 */
export function sharedWhileInFlight<T>(): (key: string, load: () => Promise<T>) => Promise<T> {
  const inFlight = new Map<string, Promise<T>>();
  return (key, load) => {
    const running = inFlight.get(key);
    if (running) return running;
    const call = load().finally(() => inFlight.delete(key));
    inFlight.set(key, call);
    return call;
  };
}
