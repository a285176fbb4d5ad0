import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { findFreePort, waitForPort } from '../scripts/ports';
import { progress } from './progress';

export interface ApiProcess {
  url: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

/**
 * The API as `npm start` runs it, in a process of its own, so that its CPU time is its own: the benchmark's clients
 * and the worker stay in this process. It uses the benchmark's Temporal server (TEMPORAL_ADDRESS).
 */
export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const port = await findFreePort();
  const root = path.resolve(__dirname, '..');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env, WEIR_API_PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForPort('127.0.0.1', port, START_TIMEOUT_MS);
  progress(`API process ${child.pid} listening on 127.0.0.1:${port}`);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
