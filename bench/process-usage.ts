import { readFile } from 'node:fs/promises';
import { pause } from './waiting';

/** Linux's USER_HZ: /proc reports CPU times in these ticks. */
const TICKS_PER_SECOND = 100;

/** A process's CPU time so far and its resident memory, from /proc. */
export interface ProcessUsage {
  cpuSeconds: number;
  rssBytes: number;
  /** The highest RSS so far. */
  peakRssBytes: number;
}

export async function processUsage(pid: number): Promise<ProcessUsage> {
  const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
  // The command name, in parentheses, may hold spaces: the fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  const kilobytes = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { cpuSeconds: (utime + stime) / TICKS_PER_SECOND, rssBytes: kilobytes('VmRSS'), peakRssBytes: kilobytes('VmHWM') };
}

/** The share of one core a process used between two readings taken `seconds` apart. */
export function cpuShare(before: ProcessUsage, after: ProcessUsage, seconds: number): number {
  return (after.cpuSeconds - before.cpuSeconds) / seconds;
}

/** A process's memory at the end of a window and its CPU use over it, as a fraction of one core. */
export interface WindowUsage {
  rssBytes: number;
  peakRssBytes: number;
  cpu: number;
}

/** Reads a process's usage over the next `windowMs`. */
export async function usageOver(pid: number, windowMs: number): Promise<WindowUsage> {
  const before = await processUsage(pid);
  const startedAt = performance.now();
  await pause(windowMs);
  const after = await processUsage(pid);
  return {
    rssBytes: after.rssBytes,
    peakRssBytes: after.peakRssBytes,
    cpu: cpuShare(before, after, (performance.now() - startedAt) / 1000),
  };
}
