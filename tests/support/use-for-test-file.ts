/**
 * What one test file shares, started before its tests and stopped after them. Call it at the top level of the file;
 * the object it returns stands for what `start` made, once made, and refuses to be used outside the file's tests.
 */
export function useForTestFile<T extends object>(what: string, start: () => Promise<T>, stop: (started: T) => Promise<void>): T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    const stopping = started;
    started = undefined;
    if (stopping) await stop(stopping);
  });
  return new Proxy({} as T, {
    get(_target, property) {
      if (!started) throw new Error(`the ${what} of this test file is used outside its tests`);
      const value: unknown = Reflect.get(started, property, started);
      return typeof value === 'function' ? value.bind(started) : value;
    },
  });
}
