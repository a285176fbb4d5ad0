import { SECTIONS, selectedSections, type Section } from './sections';

export interface BenchOptions {
  sections: ReadonlySet<Section>;
  /** `--pipelines N`: the population of the idle, kubernetes and failover sections instead of their defaults. */
  pipelines?: number;
}

const USAGE = `usage: npm run bench [-- [--only ${SECTIONS.join(',')}] [--pipelines N]]`;

/** Reads `--only LIST` and `--pipelines N`, each at most once; throws with the usage for anything else. */
export function benchOptions(args: readonly string[]): BenchOptions {
  const values = new Map<string, string>();
  for (let index = 0; index < args.length; index += 2) {
    const [flag, value] = [args[index], args[index + 1]];
    if (!['--only', '--pipelines'].includes(flag) || value === undefined || values.has(flag)) throw new Error(USAGE);
    values.set(flag, value);
  }
  const pipelines = values.get('--pipelines');
  if (pipelines !== undefined && !/^[1-9][0-9]{0,5}$/.test(pipelines))
    throw new Error(`--pipelines ${pipelines}: a whole number of pipelines, 1 or more, is expected`);
  return { sections: selectedSections(values.get('--only')), pipelines: pipelines === undefined ? undefined : Number(pipelines) };
}
