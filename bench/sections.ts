/** The benchmark's sections, in the order they run: the lifecycle first, on a quiet engine and server. */
export const SECTIONS = [
  'lifecycle',
  'rolling-edit',
  'scale',
  'data-plane',
  'events',
  'health',
  'list',
  'idle',
  'kubernetes',
  'failover',
] as const;
export type Section = (typeof SECTIONS)[number];

/** Sections only `--only` runs: failover starts a Kubernetes control plane and holds thousands of pipelines. */
const ON_REQUEST: readonly Section[] = ['failover'];

/**
 * The sections that `--only` names, such as `lifecycle` or `lifecycle,data-plane`; without it, all of them but those
 * run on request. Throws for a name that is not a section.
 */
export function selectedSections(list: string | undefined): ReadonlySet<Section> {
  if (list === undefined) return new Set(SECTIONS.filter((section) => !ON_REQUEST.includes(section)));
  const names = list.split(',');
  const unknown = names.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}: the sections are ${SECTIONS.join(', ')}`);
  return new Set(names as Section[]);
}
