import { canonicalJson } from './canonical-json';
import type { ComponentSpec, PipelineSpec } from './pipeline-spec';

/**
 * Which fields of one component an edit changed: `image`, `replicas`, `env.LOG_LEVEL`, `secret_env.DB_PASSWORD`, …,
 * or `env (37 variables)` when more than NAMED_VARIABLES_LIMIT changed.
 */
export interface ComponentChange {
  component: string;
  fields: string[];
}

/**
 * What an edit changed, by name only: components added, removed or changed and which of their fields, and the
 * pipeline's own fields (`name`, `component_order`). Never a value, so nothing secret or private reaches history.
 */
export interface SpecChange {
  fields: string[];
  added: string[];
  removed: string[];
  changed: ComponentChange[];
}

const SCALAR_FIELDS = ['image', 'command', 'replicas', 'input', 'output'] as const;
const KEYED_FIELDS = ['env', 'secret_env'] as const;
/** Beyond this many changed variables of one field, the record counts them instead of naming each: it stays small. */
export const NAMED_VARIABLES_LIMIT = 10;

export function specChange(from: PipelineSpec, to: PipelineSpec): SpecChange {
  const before = new Map(from.components.map((component) => [component.name, component]));
  const after = new Map(to.components.map((component) => [component.name, component]));
  const kept = to.components.filter((component) => before.has(component.name)).map((component) => component.name);
  const fields: string[] = [];
  if (from.name !== to.name) fields.push('name');
  if (canonicalJson(from.components.map(({ name }) => name).filter((name) => after.has(name))) !== canonicalJson(kept))
    fields.push('component_order');
  return {
    fields,
    added: [...after.keys()].filter((name) => !before.has(name)),
    removed: [...before.keys()].filter((name) => !after.has(name)),
    changed: kept
      .map((name) => ({ component: name, fields: changedFields(before.get(name) as ComponentSpec, after.get(name) as ComponentSpec) }))
      .filter((change) => change.fields.length > 0),
  };
}

function changedFields(from: ComponentSpec, to: ComponentSpec): string[] {
  const scalars = SCALAR_FIELDS.filter((field) => canonicalJson(from[field]) !== canonicalJson(to[field]));
  const keyed = KEYED_FIELDS.flatMap((field) => {
    const [was, is] = [from[field] ?? {}, to[field] ?? {}];
    const changed = [...new Set([...Object.keys(was), ...Object.keys(is)])]
      .filter((key) => !Object.hasOwn(was, key) || !Object.hasOwn(is, key) || was[key] !== is[key])
      .sort();
    return changed.length > NAMED_VARIABLES_LIMIT ? [`${field} (${changed.length} variables)`] : changed.map((key) => `${field}.${key}`);
  });
  return [...scalars, ...keyed];
}

/** Whether `to` is `from` exactly, component order included: such an edit changes nothing. */
export function isSameSpec(from: PipelineSpec, to: PipelineSpec): boolean {
  return canonicalJson(from) === canonicalJson(to);
}

/** The change in one line, for the transition's reason: `added b; removed c; changed a (image, env.LOG_LEVEL)`. */
export function describeChange(change: SpecChange): string {
  const parts = [
    ...(change.fields.length > 0 ? [`changed ${change.fields.join(', ')}`] : []),
    ...(change.added.length > 0 ? [`added ${change.added.join(', ')}`] : []),
    ...(change.removed.length > 0 ? [`removed ${change.removed.join(', ')}`] : []),
    ...change.changed.map(({ component, fields }) => `changed ${component} (${fields.join(', ')})`),
  ];
  return parts.join('; ');
}
