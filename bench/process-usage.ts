import { readFile } from 'node:fs/promises';

/** Linux's USER_HZ: /proc reports CPU times in these ticks. */
const TICKS_PER_SECOND = 100;

/** A process's CPU time so far and its resident memory, from /proc. */
export interface ProcessUsage {
  cpuSeconds: number;
  rssBytes: number;
}

export async function processUsage(pid: number): Promise<ProcessUsage> {
  const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
  // The command name, in parentheses, may hold spaces: the fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  const rssKiB = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN);
  return { cpuSeconds: (utime + stime) / TICKS_PER_SECOND, rssBytes: rssKiB * 1024 };
}

/** The share of one core a process used between two readings taken `seconds` apart. */
export function cpuShare(before: ProcessUsage, after: ProcessUsage, seconds: number): number {
  return (after.cpuSeconds - before.cpuSeconds) / seconds;
}
