import { statfs } from 'node:fs/promises';

/** Below this, NATS and Temporal start failing to create their files. */
const LOW_DISK_BYTES = 1024 ** 3;

/**
 * Warns when the file system holding `dir` is nearly full. NATS answers a
 * store it cannot create only with "error creating store for stream", so the
 * warning is the one place that says why.
 */
export async function warnIfDiskIsLow(dir: string, what: string): Promise<void> {
  const stats = await statfs(dir);
  const freeBytes = stats.bavail * stats.bsize;
  if (freeBytes >= LOW_DISK_BYTES) return;
  const freeMiB = Math.floor(freeBytes / 1024 ** 2);
  console.warn(
    `weir: only ${freeMiB} MiB free under ${dir}, which holds ${what}; free at least 1 GiB, or expect NATS and Temporal to fail writing`,
  );
}
