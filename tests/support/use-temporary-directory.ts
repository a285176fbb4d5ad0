import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A directory of one test file's own under the system's temporary folder: made before its tests and removed after them.
 * Call it at the top level of the file; the function it returns gives the directory's path once made.
 */
export function useTemporaryDirectory(prefix: string): () => string {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return () => {
    if (!dir) throw new Error(`the temporary directory ${prefix}* is used outside its tests`);
    return dir;
  };
}
