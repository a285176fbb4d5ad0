import { open, readFile, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_INTERVAL_MS = 1_000;
/** A lock file still without a pid after this long was left by a process that died while creating it. */
const UNWRITTEN_LOCK_MS = 10_000;

/**
 * Runs `work` while holding `lockFile`, a file created exclusively that names the holder's pid, so that
 * processes sharing a cache folder take turns. A lock left by a process that no longer runs is taken over.
 */
export async function withFileLock<T>(
  lockFile: string,
  timeoutMs: number,
  onWait: (holderPid: number) => void,
  work: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  while (!(await tryCreate(lockFile))) {
    const holder = await readHolder(lockFile);
    if (holder === undefined ? await isOlderThan(lockFile, UNWRITTEN_LOCK_MS) : !isRunning(holder)) {
      await unlink(lockFile).catch(() => {});
      continue;
    }
    if (!announced && holder !== undefined) {
      onWait(holder);
      announced = true;
    }
    if (Date.now() >= deadline) {
      throw new Error(`${lockFile} was still held by pid ${holder} after ${timeoutMs / 1000} s`);
    }
    await sleep(POLL_INTERVAL_MS);
  }
  try {
    return await work();
  } finally {
    await unlink(lockFile).catch(() => {});
  }
}

async function tryCreate(lockFile: string): Promise<boolean> {
  try {
    const handle = await open(lockFile, 'wx');
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** The pid in the lock file; undefined while its creator has not written it yet, or once it is gone. */
async function readHolder(lockFile: string): Promise<number | undefined> {
  const text = await readFile(lockFile, 'utf8').catch(() => '');
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function isOlderThan(file: string, ageMs: number): Promise<boolean> {
  const stats = await stat(file).catch(() => undefined);
  return stats !== undefined && Date.now() - stats.mtimeMs > ageMs;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
