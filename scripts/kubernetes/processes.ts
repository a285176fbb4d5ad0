import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { readLogTail } from '../log-tail';
import { spawnProcess, type ProcessSpec, type RunningService } from '../services';

const POLL_INTERVAL_MS = 100;
const REQUEST_TIMEOUT_MS = 2_000;

/**
 * Starts a process and resolves once `ready` does. A process that ends first, or a `ready` that fails, fails the
 * start with the end of the process's log.
 */
export async function startProcess(
  spec: ProcessSpec & { logFile: string },
  ready: (signal: AbortSignal) => Promise<void>,
): Promise<RunningService> {
  const service = spawnProcess(spec);
  const startup = new AbortController();
  void service.exited.then((how) => startup.abort(new Error(`${spec.name} ${how}`)));
  try {
    await ready(startup.signal);
  } catch (error) {
    await service.stop();
    const reason = startup.signal.aborted ? (startup.signal.reason as Error).message : (error as Error).message;
    throw new Error(`${spec.name} did not start: ${reason}\n--- end of ${spec.logFile} ---\n${await readLogTail(spec.logFile)}`, {
      cause: error,
    });
  }
  return service;
}

/** Polls `check` until it is true; fails after `timeoutMs`, saying what was awaited, or as soon as `signal` aborts. */
export async function pollUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    signal?.throwIfAborted();
    if (Date.now() >= deadline) throw new Error(`${what} within ${timeoutMs / 1000} s`);
    await sleep(POLL_INTERVAL_MS);
  }
}

export interface HttpCheckOptions {
  caFile?: string;
  token?: string;
}

/** True when GET `url` answers 200; false when it answers otherwise or not at all. */
export function answersOk(url: string, { caFile, token }: HttpCheckOptions = {}): Promise<boolean> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve) => {
    const request = client.get(
      url,
      {
        ca: caFile === undefined ? undefined : readFileSync(caFile),
        headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(false));
  });
}
