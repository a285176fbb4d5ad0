import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SECRET_NAME_PATTERN, type PipelineSpec } from './pipeline/pipeline-spec';

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

  /**
   * A function that replaces the value of every secret the spec names by `[secret <name>]`. The values are read once,
   * here; a secret that cannot be read is skipped.
   */
  async maskerFor(spec: PipelineSpec): Promise<(text: string) => string> {
    const values = new Map<string, string>();
    for (const secret of new Set(spec.components.flatMap((component) => Object.values(component.secret_env ?? {})))) {
      const value = await this.read(secret).catch(() => undefined);
      if (value !== undefined && value.length >= MIN_MASKED_LENGTH) values.set(secret, value);
    }
    return (text) => maskSecretValues(text, values);
  }
}

/** Shorter secret values are left in text: masking them would garble it and hide little. */
const MIN_MASKED_LENGTH = 4;

/** `text` with each value of `values` (secret name to value) replaced by `[secret <name>]`, however often it appears. */
function maskSecretValues(text: string, values: ReadonlyMap<string, string>): string {
  let masked = text;
  for (const [secret, value] of values) masked = masked.split(value).join(`[secret ${secret}]`);
  return masked;
}

/** `text` with the value of every secret the spec names masked, as `SecretDirectory.maskerFor` does. */
export async function maskSecrets(text: string, spec: PipelineSpec, secrets: SecretDirectory): Promise<string> {
  return (await secrets.maskerFor(spec))(text);
}
