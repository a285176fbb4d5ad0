import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { eventually } from './eventually';

/**
 * The worker as `npm start` runs it, in a process of its own, so a test can kill it outright.
 * Resolves once it polls for tasks.
 */
export async function startWorkerProcess(env: Record<string, string> = {}): Promise<ChildProcess> {
  const root = path.resolve(__dirname, '..');
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: root,
    // No metrics port unless a test asks for one, so that workers of parallel runs do not contend for the default.
    env: { ...process.env, WEIR_DOCKER_NETWORK_MODE: 'host', WEIR_WORKER_METRICS_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await eventually(
    async () => output,
    (text) => text.includes('worker polling') || child.exitCode !== null,
    // Loading the code and bundling the workflows takes a few seconds on a quiet machine, minutes on a loaded one.
    300_000,
  );
  if (child.exitCode !== null) throw new Error(`worker process exited with ${child.exitCode}: ${output}`);
  return child;
}
