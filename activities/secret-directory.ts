import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SECRET_NAME_PATTERN } from '../pipeline/pipeline-spec';

/** Secret values kept as one file per secret in a directory, the way Docker and Kubernetes mount secrets. */
export class SecretDirectory {
  /** `dir` undefined: no secrets are configured, and every read finds nothing. */
  constructor(readonly dir: string | undefined) {}

  /**
   * The secret's value without one trailing newline (as `echo` leaves it), or undefined when there is no such
   * secret. A name that could reach outside the directory names no secret: the API refuses such names, but a
   * workflow can also be started with the temporal CLI.
   */
  async read(name: string): Promise<string | undefined> {
    if (this.dir === undefined || !SECRET_NAME_PATTERN.test(name)) return undefined;
    try {
      const value = await readFile(path.join(this.dir, name), 'utf8');
      return value.endsWith('\n') ? value.slice(0, -1) : value;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
