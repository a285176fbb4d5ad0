import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { readLogTail } from './log-tail';
import { isPortOpen, waitForPort } from './ports';

export interface RunningService {
  name: string;
  address: string;
  /** Undefined when the process could not be started. */
  pid: number | undefined;
  /** Settles when the process ends, with how it ended, e.g. "exited with code 1". */
  exited: Promise<string>;
  /** SIGTERM, then SIGKILL if the process is still there after a grace period. */
  stop(): Promise<void>;
}

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  /** Defaults to the process id. */
  address?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where stdout and stderr go; without it they go to this process's own. */
  logFile?: string;
  /**
   * Own process group, so a Ctrl-C in the terminal reaches only the parent,
   * which can then stop its services in order.
   */
  detached?: boolean;
}

interface ListeningServiceOptions {
  logFile: string;
  detached?: boolean;
}

export interface TemporalDevServerOptions extends ListeningServiceOptions {
  cli: string;
  port: number;
  /** Without it the server runs headless. */
  uiPort?: number;
  /** Without it the state lives in memory only. */
  dbFile?: string;
  namespace: string;
  /** Search attributes to register, by name, with their types. */
  searchAttributes: Record<string, string>;
}

export interface NatsServerOptions extends ListeningServiceOptions {
  bin: string;
  port: number;
  storeDir: string;
  /** The configuration with the operator and accounts that decide who may connect (see nats-auth.ts). */
  configFile: string;
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

export function startTemporalDevServer(options: TemporalDevServerOptions): Promise<RunningService> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    HOST,
    '--port',
    String(options.port),
    ...(options.uiPort === undefined ? ['--headless'] : ['--ui-port', String(options.uiPort)]),
    ...(options.dbFile === undefined ? [] : ['--db-filename', options.dbFile]),
    ...Object.entries(options.searchAttributes).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    '--log-level',
    'warn',
    '--namespace',
    options.namespace,
  ];
  return startListeningService(
    {
      name: 'temporal',
      command: options.cli,
      args,
      address: `${HOST}:${options.port}`,
      logFile: options.logFile,
      detached: options.detached,
    },
    options.port,
  );
}

export function startNatsServer(options: NatsServerOptions): Promise<RunningService> {
  const args = ['-c', options.configFile, '-js', '-a', HOST, '-p', String(options.port), '-sd', options.storeDir];
  return startListeningService(
    {
      name: 'nats',
      command: options.bin,
      args,
      address: `nats://${HOST}:${options.port}`,
      logFile: options.logFile,
      detached: options.detached,
    },
    options.port,
  );
}

/** Starts a process and resolves once it accepts connections on 127.0.0.1:port. */
async function startListeningService(spec: ProcessSpec & { logFile: string }, port: number): Promise<RunningService> {
  if (await isPortOpen(HOST, port)) {
    throw new Error(`${spec.name} cannot start: ${HOST}:${port} is already in use (is another copy still running?)`);
  }
  await mkdir(path.dirname(spec.logFile), { recursive: true });
  const service = spawnProcess(spec);
  const startup = new AbortController();
  void service.exited.then((how) => startup.abort(new Error(`${spec.name} ${how}`)));
  try {
    await waitForPort(HOST, port, START_TIMEOUT_MS, startup.signal);
  } catch (error) {
    await service.stop();
    const tail = await readLogTail(spec.logFile);
    throw new Error(`${spec.name} did not start: ${(error as Error).message}\n--- end of ${spec.logFile} ---\n${tail}`, { cause: error });
  }
  return service;
}

export function spawnProcess(spec: ProcessSpec): RunningService {
  const output = spec.logFile === undefined ? 'inherit' : openSync(spec.logFile, 'a');
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: spec.detached,
    stdio: ['ignore', output, output],
  });
  if (typeof output === 'number') closeSync(output);

  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`));
    child.once('error', (error) => resolve(`could not run: ${error.message}`));
  });

  return {
    name: spec.name,
    address: spec.address ?? `pid ${child.pid}`,
    pid: child.pid,
    exited,
    async stop() {
      const forceKill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(forceKill);
    },
  };
}
