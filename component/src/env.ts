/** A setting that is missing or malformed; the component cannot start. */
export class ConfigError extends Error {}

/** Typed access to environment variables, failing with the variable's name. */
export class EnvReader {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  optional(name: string): string | undefined {
    const value = this.env[name];
    return value === '' ? undefined : value;
  }

  required(name: string, purpose: string): string {
    const value = this.optional(name);
    if (value === undefined) throw new ConfigError(`${name} is required ${purpose}`);
    return value;
  }

  oneOf<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const value = this.optional(name) ?? fallback;
    if (!(choices as readonly string[]).includes(value)) {
      throw new ConfigError(`${name} must be one of ${choices.join(', ')} (got "${value}")`);
    }
    return value as T;
  }

  positiveInteger(name: string): number | undefined {
    return this.positive(name, Number.isSafeInteger, 'a positive integer');
  }

  positiveNumber(name: string): number | undefined {
    return this.positive(name, Number.isFinite, 'a positive number');
  }

  /** The variable as a number that passes `isValid` and is above zero; `kind` names that rule in the error. */
  private positive(name: string, isValid: (value: number) => boolean, kind: string): number | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!isValid(parsed) || parsed <= 0) throw new ConfigError(`${name} must be ${kind} (got "${value}")`);
    return parsed;
  }
}
