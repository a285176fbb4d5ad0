import { roleOptions, READY_LINE, type RoleOptions } from './settings';

/**
 * Runs one of the raw relay's processes: `stopped` settles at SIGTERM; the process exits 0 when `role` resolves and
 * 1, with the error on stderr, when it rejects.
 */
export function runRole(role: (options: RoleOptions, stopped: Promise<void>) => Promise<void>): void {
  const stopped = new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  role(roleOptions(process.env), stopped).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

/** Tells the benchmark that the process receives from now on. */
export function announceReady(): void {
  process.stdout.write(`${READY_LINE}\n`);
}
