import { readFile } from 'node:fs/promises';
import { pause } from './waiting';

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's CPU times, is 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  rssBytes: number;
  /** The highest RSS so far. */
  peakRssBytes: number;
  /** CPU time over the window, as a fraction of one core. */
  cpu: number;
}

/** A process's memory now and its CPU use over the next `windowMs`, from /proc. */
export async function processUsage(pid: number, windowMs: number): Promise<ProcessUsage> {
  const startTicks = await cpuTicks(pid);
  const startedAt = performance.now();
  await pause(windowMs);
  const cpuSeconds = ((await cpuTicks(pid)) - startTicks) / TICKS_PER_SECOND;
  const cpu = cpuSeconds / ((performance.now() - startedAt) / 1000);
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kilobytes = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rssBytes: kilobytes('VmRSS'), peakRssBytes: kilobytes('VmHWM'), cpu };
}

/** User plus system time, fields 14 and 15 of /proc/<pid>/stat; the command name before them may hold spaces. */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  return Number(fields[11]) + Number(fields[12]);
}
