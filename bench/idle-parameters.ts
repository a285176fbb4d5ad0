/** What the idle-cost sections do; the report prints these next to the results. */
export const IDLE_PARAMETERS = {
  /** Running pipelines on one worker while its idle cost is measured: the scale run the bars are stated for. */
  idlePipelines: 1000,
  /** Running pipelines shared by two workers when one of them is killed. */
  failoverPipelines: 3000,
  /** How long the population rests after the last one reached Running, before the idle window. */
  idleSettleMs: 30_000,
  /** The idle window: long enough to hold two of the Docker watch's 30 s looks. */
  idleWindowMs: 90_000,
  /** Pipelines created at once, each wave Running before the next. */
  populateWave: 100,
  /** How long the population may take to reach Running. */
  populateBudgetMs: 1_200_000,
  /** How long the surviving worker may take to hold every watch after the other is killed. */
  failoverBudgetMs: 300_000,
  commandConcurrency: 8,
};

export type IdleParameters = typeof IDLE_PARAMETERS;

/** The bars at 1,000 Running pipelines on one worker. */
export const IDLE_BARS = {
  workerRssBytes: 1024 ** 3,
  workerCpu: 0.03,
  temporalCpu: 0.1,
};
