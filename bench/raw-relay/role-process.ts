import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { READY_LINE, ROLE_OPTIONS_VARIABLE, type RoleOptions } from './settings';

export type Role = 'publisher' | 'relay' | 'consumer';

const STDERR_KEPT_CHARS = 2000;

/** One of the raw relay's processes, run from its TypeScript source by this Node with tsx. */
export class RoleProcess {
  /** Settles once the process printed that it receives; rejects when it exits first. */
  readonly ready: Promise<void>;
  /** Settles when the process exits 0; rejects, with the end of its stderr, otherwise. */
  readonly exited: Promise<void>;

  private constructor(
    readonly role: Role,
    private readonly child: ChildProcess,
  ) {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT_CHARS)));
    this.exited = new Promise((resolve, reject) =>
      child.once('exit', (code, signal) =>
        code === 0 ? resolve() : reject(new Error(`the raw relay's ${role} exited with ${signal ?? `code ${code}`}: ${stderr.trim()}`)),
      ),
    );
    this.ready = new Promise((resolve, reject) => {
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.split('\n').includes(READY_LINE)) resolve();
      });
      this.exited.then(() => reject(new Error(`the raw relay's ${role} exited before it was ready`)), reject);
    });
    // Whoever waits on one of them sees the failure; the other must not also surface as unhandled.
    this.ready.catch(() => undefined);
    this.exited.catch(() => undefined);
  }

  static start(role: Role, options: RoleOptions): RoleProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, `${role}.ts`)], {
      env: { ...process.env, [ROLE_OPTIONS_VARIABLE]: JSON.stringify(options) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new RoleProcess(role, child);
  }

  /** SIGTERM, then the exit. */
  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await this.exited;
  }

  /** Ends the process at once, if it still runs. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
