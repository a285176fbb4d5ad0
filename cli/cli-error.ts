/** The weir CLI's exit codes. */
export const EXIT = {
  done: 0,
  /** The API refused or failed the command, or the pipeline ended Failed. */
  failed: 1,
  usage: 2,
  /** No answer from the API at WEIR_URL. */
  unreachable: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as it is: its message to stderr, its exit code to the shell. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

/** The API's error body, as every failed request answers it. */
export interface ApiErrorBody {
  code: string;
  message: string;
  details?: { allowed_actions?: string[]; current_status?: string; fields?: Record<string, string> };
}

/** The message of a failed request: the API's own, the status and actions it allows, or each invalid field. */
export function apiErrorMessage(status: number, body: ApiErrorBody | undefined): string {
  if (!body?.message) return `the API answered ${status}`;
  const lines = [`${body.message} (${status} ${body.code})`];
  const { current_status, allowed_actions, fields } = body.details ?? {};
  if (current_status) lines.push(`  current status: ${current_status}`);
  if (allowed_actions) lines.push(`  allowed actions: ${allowed_actions.length > 0 ? allowed_actions.join(', ') : 'none'}`);
  for (const [field, problem] of Object.entries(fields ?? {})) lines.push(`  ${field}: ${problem}`);
  return lines.join('\n');
}
