import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { canInstallDebianPackages, installDebianPackage } from './apt';
import { findOnPath } from './find-executable';
import { readLogTail } from './log-tail';
import { toolsDir } from './repo-paths';

const PING_TIMEOUT_MS = 3_000;
const START_TIMEOUT_MS = 30_000;
const dockerdLog = path.join(toolsDir, 'dockerd.log');

/** Makes sure a Docker Engine answers, starting a local dockerd when this machine allows it. */
export async function ensureDockerEngine(): Promise<void> {
  const pingError = await pingEngine();
  if (pingError === undefined) return;

  if ((pingError as NodeJS.ErrnoException).code === 'EACCES') {
    throw new Error(
      `This user may not use the Docker Engine (${pingError.message}). ` +
        'Add the user to the `docker` group (then log in again), or run this as root.',
    );
  }
  if (process.env.DOCKER_HOST) {
    throw new Error(
      `The Docker Engine at DOCKER_HOST=${process.env.DOCKER_HOST} does not answer. ` +
        'Start that engine, or unset DOCKER_HOST to use the local one at /var/run/docker.sock.',
    );
  }
  if (!(await canInstallDebianPackages())) {
    throw new Error(
      `No Docker Engine answers (${pingError.message}). Install Docker Engine ` +
        '(https://docs.docker.com/engine/install/) and start it, or run this as root on Debian/Ubuntu ' +
        'so it can be installed and started for you, or set DOCKER_HOST to a running engine.',
    );
  }
  await startLocalDockerd();
}

async function startLocalDockerd(): Promise<void> {
  if (!(await findOnPath('dockerd'))) {
    process.stderr.write('installing Docker Engine (apt-get install docker.io) ...\n');
    await installDebianPackage('docker.io');
  }

  process.stderr.write(`starting dockerd (log: ${dockerdLog}) ...\n`);
  await mkdir(toolsDir, { recursive: true });
  const log = openSync(dockerdLog, 'a');
  // The host firewall and bridge are left alone; containers use the host network or user-defined ones.
  const dockerd = spawn('dockerd', ['--iptables=false', '--ip6tables=false', '--bridge=none'], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  // Other tools share this engine, so it outlives the script that started it.
  dockerd.unref();

  let exitedEarly: string | undefined;
  dockerd.once('exit', (code, signal) => (exitedEarly = signal ? `was killed by ${signal}` : `exited with code ${code}`));
  dockerd.once('error', (error) => (exitedEarly = `could not run: ${error.message}`));

  const deadline = Date.now() + START_TIMEOUT_MS;
  while ((await pingEngine()) !== undefined) {
    if (exitedEarly !== undefined || Date.now() >= deadline) {
      const reason = exitedEarly === undefined ? `did not answer within ${START_TIMEOUT_MS / 1000} s` : exitedEarly;
      throw new Error(`dockerd ${reason}.\n--- end of ${dockerdLog} ---\n${await readLogTail(dockerdLog)}`);
    }
    await sleep(250);
  }
}

/** Why the engine does not answer, or undefined when it does. */
async function pingEngine(): Promise<Error | undefined> {
  try {
    await new Docker({ timeout: PING_TIMEOUT_MS }).ping();
    return undefined;
  } catch (error) {
    return error as Error;
  }
}
