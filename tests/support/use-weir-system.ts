import { WeirSystem, type SystemOptions } from '../../harness/weir-system';

/**
 * The Weir of one test file: started before its tests and closed after them. Call it at the top level of the file;
 * the object it returns stands for the system once started.
 */
export function useWeirSystem(options: SystemOptions = {}): WeirSystem {
  let system: WeirSystem | undefined;
  beforeAll(async () => {
    system = await WeirSystem.start(options);
  });
  afterAll(async () => {
    await system?.close();
    system = undefined;
  });
  return new Proxy({} as WeirSystem, {
    get(_target, property) {
      if (!system) throw new Error('the Weir system of this test file is used outside its tests');
      const value: unknown = Reflect.get(system, property, system);
      return typeof value === 'function' ? value.bind(system) : value;
    },
  });
}
