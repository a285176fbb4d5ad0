import type { ComponentSpec } from '../pipeline/pipeline-spec';
import { IDLE_COMPONENT } from './parameters';

/** What the Kubernetes section does; the report prints these next to its results. */
export const KUBERNETES_PARAMETERS = {
  /** Pipelines on kwok's node, all Running at once; `--pipelines N` changes it. */
  pipelines: 1000,
  /** Pipelines of the population timed through stop and resume, each beside the same scaling done directly. */
  scaleSamples: 10,
  /** Pipelines of the population failed by a status patch, one after another. */
  failureDetectionRuns: 5,
  /** How long the population may take to reach Running. */
  runningBudgetMs: 30 * 60_000,
  /** How often the list is read while the population starts or goes. */
  populationPollMs: 1000,
  /** Rest after the population reached Running, before its idle cost is measured. */
  settleMs: 10_000,
  /** The window in which the worker's idle CPU, and the requests it makes at rest, are measured. */
  idleWindowMs: 30_000,
  /** Three-stage pipelines timed from create to Running on the real node, one after another. */
  realNodeCreateRuns: 3,
  /** How long a pipeline on the real node may take to start, and a stop on it to drain. */
  realNodeTimeoutSeconds: 120,
};

export type KubernetesParameters = typeof KUBERNETES_PARAMETERS;

/** Two components and no stream between them, so a stop is the scale to 0 and nothing to drain. */
export const KWOK_PIPELINE: ComponentSpec[] = [
  { ...IDLE_COMPONENT, name: 'first' },
  { ...IDLE_COMPONENT, name: 'second' },
];
