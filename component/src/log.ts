type Fields = Record<string, unknown>;

/** Writes one JSON object per line: lifecycle events to stdout, failures to stderr. */
export interface Logger {
  info(event: string, fields?: Fields): void;
  error(event: string, fields?: Fields): void;
}

export function createLogger(context: Fields): Logger {
  const line = (event: string, fields: Fields) => `${JSON.stringify({ time: new Date().toISOString(), event, ...context, ...fields })}\n`;
  return {
    info: (event, fields = {}) => process.stdout.write(line(event, fields)),
    error: (event, fields = {}) => process.stderr.write(line(event, fields)),
  };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
