const PIPELINES_FLAG = '--pipelines';

/**
 * Takes `--pipelines N` out of the command line: how many Running pipelines the idle-cost sections hold, instead of
 * their documented scale runs. Returns the count, if given, and the other arguments.
 */
export function takePipelinesOption(args: readonly string[]): { pipelines?: number; rest: string[] } {
  const at = args.indexOf(PIPELINES_FLAG);
  if (at === -1) return { rest: [...args] };
  const value = args[at + 1];
  const pipelines = Number(value);
  if (!/^[1-9][0-9]*$/.test(value ?? '') || pipelines > 10_000) throw new Error(`${PIPELINES_FLAG} takes a count from 1 to 10000`);
  return { pipelines, rest: [...args.slice(0, at), ...args.slice(at + 2)] };
}
