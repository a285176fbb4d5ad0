/** The benchmark's sections, in the order they run: the lifecycle first, on a quiet engine and server. */
export const SECTIONS = ['lifecycle', 'data-plane', 'events', 'health', 'list', 'idle', 'failover'] as const;
export type Section = (typeof SECTIONS)[number];

/** Sections only `--only` runs: failover starts a Kubernetes control plane and holds thousands of pipelines. */
const ON_REQUEST: readonly Section[] = ['failover'];

const ONLY_FLAG = '--only';

/**
 * The sections the command line asks for: `--only lifecycle` or `--only lifecycle,data-plane` runs just those;
 * without it, all of them but those run on request. Throws for anything else.
 */
export function selectedSections(args: readonly string[]): ReadonlySet<Section> {
  if (args.length === 0) return new Set(SECTIONS.filter((section) => !ON_REQUEST.includes(section)));
  const [flag, list, ...rest] = args;
  if (flag !== ONLY_FLAG || list === undefined || rest.length > 0)
    throw new Error(`usage: npm run bench [-- ${ONLY_FLAG} ${SECTIONS.join(',')}] [--pipelines N]`);
  const names = list.split(',');
  const unknown = names.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}: the sections are ${SECTIONS.join(', ')}`);
  return new Set(names as Section[]);
}
