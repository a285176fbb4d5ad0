import { WeirSystem, type SystemOptions } from '../../harness/weir-system';
import { newPipelineId } from './test-ids';
import { useForTestFile } from './use-for-test-file';

/** The Weir of one test file: started before its tests and closed after them. Call it at the top level of the file. */
export function useWeirSystem(options: SystemOptions = {}): WeirSystem {
  return useForTestFile(
    'Weir system',
    () => WeirSystem.start(options),
    (system) => system.close(),
  );
}

/**
 * A fresh pipeline id that `weir` removes completely when it closes, so a test that fails half-way leaves nothing
 * behind; an id that was never created is simply found gone.
 */
export function pipelineIdRemovedAtClose(weir: WeirSystem, prefix: string): string {
  const id = newPipelineId(prefix);
  weir.removeAtClose(id);
  return id;
}
