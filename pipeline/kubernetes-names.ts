import { COMPONENT_LABEL, PIPELINE_LABEL } from './names';

/** The grammars of Kubernetes names and label values that Weir puts into objects and selectors. */
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][A-Za-z0-9._-]{0,61})?[A-Za-z0-9])?$/;
/** The keys of a Secret's data. */
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
/** Environment variable names: printable ASCII without '=' (Kubernetes' relaxed validation). */
const ENV_NAME = /^[!-<>-~][ -<>-~]*$/;
/** What a ReplicaSet and its pods add to a Deployment's name: "-" and a 10-character hash, "-" and 5 characters. */
const POD_NAME_SUFFIX_LENGTH = 17;

export function isDnsLabel(name: string): boolean {
  return DNS_LABEL.test(name);
}

export function isLabelValue(value: string): boolean {
  return LABEL_VALUE.test(value);
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

/** A Deployment name whose pods' names are valid too. */
export function isDeploymentName(name: string): boolean {
  return DNS_SUBDOMAIN.test(name) && name.length + POD_NAME_SUFFIX_LENGTH <= 253;
}

/** Why a pipeline id cannot name Kubernetes objects or go into a label selector; undefined when it can. */
export function pipelineIdProblem(pipelineId: unknown): string | undefined {
  if (typeof pipelineId === 'string' && isDnsLabel(pipelineId) && isLabelValue(pipelineId)) return undefined;
  return `pipeline id ${JSON.stringify(pipelineId)} is no DNS label, so it can name no Kubernetes object`;
}

/** The label every Kubernetes object of Weir's carries, beside PIPELINE_LABEL and COMPONENT_LABEL. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'weir';

/** Label selectors; the values in them must be checked label values (pipelineIdProblem, isDnsLabel). */
export function managedSelector(): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
}

export function pipelineSelector(pipelineId: string): string {
  return `${managedSelector()},${PIPELINE_LABEL}=${pipelineId}`;
}

export function componentsSelector(pipelineId: string, components: string[]): string {
  return `${pipelineSelector(pipelineId)},${COMPONENT_LABEL} in (${components.join(',')})`;
}
