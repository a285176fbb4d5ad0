import { DEFAULT_LIST_LIMIT } from '../api/schemas';
import type { ComponentSpec } from '../pipeline/pipeline-spec';

/** What the benchmark does; the report prints these next to the results. */
export const PARAMETERS = {
  /** Pipelines that exist while health latency is measured. */
  population: 200,
  /** How long the population may take to reach Running before it is terminated and measured as Stopped. */
  populationSettleBudgetMs: 120_000,
  /** Requests in flight at once while creating and deleting pipelines. */
  commandConcurrency: 8,
  healthRatePerSecond: 50,
  healthDurationMs: 10_000,
  /** Health and describe take turns in this many blocks, so that both see the same background work. */
  healthBlocks: 5,
  /** Unrecorded calls at the same rate before each measured run. */
  warmupDurationMs: 1_000,
  /** Pipelines timed through create, stop and resume, one after the other, after unrecorded warm-ups. */
  lifecycleSamples: 10,
  lifecycleWarmUps: 1,
  /** Pipelines each stopped and resumed, then given a rolling edit, after the lifecycle's warm-ups. */
  rollingEditSamples: 5,
  statusPollMs: 20,
  /** The API's deadline for each Temporal call: hundreds of commands at once can keep the worker from accepting one within the default. */
  apiTimeoutMs: 10_000,
  stopGraceSeconds: 5,
  /** Weir's default: a bridge network per pipeline. */
  lifecycleNetworkMode: 'pipeline',
  /**
   * Docker's default address pools hold about 30 bridge networks, too few for a network per pipeline of the
   * population; health reads only Temporal, so the mode does not change what it measures.
   */
  populationNetworkMode: 'host',
  /** Components must reach the benchmark's NATS server, which listens on 127.0.0.1 only. */
  dataPlaneNetworkMode: 'host',
  throughputMessages: 50_000,
  /** Pairs of runs: one through Weir, one through the raw relay. */
  throughputRuns: 5,
  drainMessages: 20_000,
  drainRuns: 3,
  failureDetectionRuns: 5,
  /** Pipelines that exist while list latency is measured, created with no worker so that they run nothing. */
  listPopulation: 1000,
  listReaders: 20,
  /** Calls each reader makes in all, split over the blocks in which list and the floor take turns. */
  listCallsPerReader: 50,
  listBlocks: 5,
  listWarmUpCallsPerReader: 2,
  /** The API's default limit: the floor asks visibility for a page of the same size. */
  listPageSize: DEFAULT_LIST_LIMIT,
  /** Pipelines whose one idle component is scaled up and back down live, one after the other, after warm-ups. */
  scaleSamples: 5,
  scaleWarmUps: 1,
  scaleReplicas: 3,
  /** Event streams open at once on one pipeline, one count after the other. */
  eventStreamCounts: [1, 100],
  /** How long the pipeline rests while its streams' idle cost is measured. */
  eventIdleMs: 10_000,
  /** Stop-and-resume cycles while the streams' busy cost and the events' latency are measured. */
  eventCycles: 5,
};

export type BenchParameters = typeof PARAMETERS;

/** The one component of every benchmark pipeline. */
export const IDLE_COMPONENT: ComponentSpec = { name: 'idle', image: 'busybox:latest', command: ['sleep', '3600'], replicas: 1 };
