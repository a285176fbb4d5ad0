import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../..');
/** The package's bin, as `npx weir` runs it. */
const BIN = path.join(REPO, 'cli/weir.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment of a CLI run: nothing of the test's own Weir variables leaks in. */
function cliEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WEIR_')));
  return { ...base, ...env };
}

/** Starts the weir CLI as a subprocess in the repository. */
export function spawnWeir(args: string[], env: Record<string, string>, command = [process.execPath, BIN]): ChildProcessWithoutNullStreams {
  return spawn(command[0], [...command.slice(1), ...args], { cwd: REPO, env: cliEnv(env) });
}

/** Runs the weir CLI to its end (or kills it after `timeoutMs`) and collects what it printed. */
export function runWeir(
  args: string[],
  env: Record<string, string>,
  options: { command?: string[]; timeoutMs?: number } = {},
): Promise<CliRun> {
  const child = spawnWeir(args, env, options.command);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Collects a running CLI's stdout until `enough` accepts it, then kills the process; returns what it printed. */
export function stdoutUntil(
  child: ChildProcessWithoutNullStreams,
  enough: (stdout: string) => boolean,
  timeoutMs = 30_000,
): Promise<string> {
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CLI did not print what was expected within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (enough(stdout)) {
        clearTimeout(timer);
        child.kill('SIGTERM');
        resolve(stdout);
      }
    });
    child.once('close', () => {
      clearTimeout(timer);
      if (!enough(stdout)) reject(new Error(`the CLI ended before printing what was expected; stdout:\n${stdout}\nstderr:\n${stderr}`));
    });
  });
}
