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
