import { REFERENCE_COMPONENT_IMAGE } from '../component/image';
import type { DataPlaneResults } from './data-plane';
import type { EventStreamResult, WindowCost } from './event-stream';
import { dataPlaneSection } from './data-plane-report';
import type { HealthLatencyResult } from './health-latency';
import type { KubernetesResults } from './kubernetes';
import { kubernetesSection } from './kubernetes-report';
import type { KubernetesParameters } from './kubernetes-parameters';
import type { IdleCostResult } from './idle-cost';
import { failoverSection, idleCostNotes, idleCostRows } from './idle-report';
import type { FailoverResult } from './failover';
import type { ListLatencyResult, ReaderLatency } from './list-latency';
import type { SweepCounts } from './label-sweep';
import type { LifecycleResults } from './lifecycle';
import type { LifecycleSample } from './lifecycle-sample';
import type { RollingEditSample } from './rolling-edit';
import type { LiveScaleSample } from './live-scale';
import type { MachineFacts } from './machine-facts';
import type { StopPhases } from './stop-phases';
import type { WeirLifecycleSample } from './weir-lifecycle';
import type { LatencySummary } from './open-loop';
import { LIFECYCLE_BARS, barCells } from './bars';
import type { BenchParameters } from './parameters';
import { median } from './stats';
import { alignColumns, indent, ms, ratio, seconds } from './table-format';

/** What a run measured: only the sections it was asked for. */
export interface BenchResults {
  facts: MachineFacts;
  lifecycle?: LifecycleResults;
  rollingEdit?: RollingEditSample[];
  scale?: LiveScaleSample[];
  dataPlane?: DataPlaneResults;
  events?: EventStreamResult;
  health?: HealthLatencyResult;
  list?: ListLatencyResult;
  kubernetes?: { results: KubernetesResults; parameters: KubernetesParameters };
  idle?: IdleCostResult;
  failover?: FailoverResult;
}

export interface RunSummary {
  leftovers: SweepCounts;
  leftoverStreams: number;
  runtimeMs: number;
}

export function formatReport(results: BenchResults, parameters: BenchParameters, run: RunSummary): string {
  const sections = [
    header(results, parameters),
    results.health && healthSection(results.health, parameters),
    results.list && listSection(results.list, parameters),
    results.lifecycle && lifecycleSection(results.lifecycle, parameters),
    results.rollingEdit && rollingEditSection(results.rollingEdit, parameters),
    results.scale && liveScaleSection(results.scale, parameters),
    results.dataPlane && dataPlaneSection(results.dataPlane, parameters),
    results.events && eventStreamSection(results.events, parameters),
    results.kubernetes && kubernetesSection(results.kubernetes.results, parameters, results.kubernetes.parameters),
    results.idle && idleSection(results.idle),
    results.failover && failoverSection(results.failover),
    notes(results, parameters, run),
  ];
  return sections.flatMap((lines, index) => (lines ? [...(index > 0 ? [''] : []), ...lines] : [])).join('\n');
}

function header(results: BenchResults, parameters: BenchParameters): string[] {
  const { facts } = results;
  const p = parameters;
  const calls = (p.healthRatePerSecond * p.healthDurationMs) / 1000;
  return [
    'Weir benchmark',
    ...indent(
      alignColumns(
        [
          ['machine', `${facts.cpus}, ${facts.memory} RAM, ${facts.os}`],
          ['node', facts.node],
          ['docker', facts.docker],
          ['temporal', `${facts.temporal}; headless dev server, in memory`],
          ['layout', 'API, worker and load generator share one Node process; all traffic on 127.0.0.1'],
          ...(results.health
            ? [
                [
                  'health',
                  `${p.population} pipelines; ${p.healthRatePerSecond} req/s for ${p.healthDurationMs / 1000} s open loop, ${calls} calls each (ids round-robin), after ${p.warmupDurationMs / 1000} s warm-up;`,
                ],
                ['', `health and describe alternate in ${p.healthBlocks} blocks of ${p.healthDurationMs / p.healthBlocks / 1000} s each`],
              ]
            : []),
          ...(results.lifecycle
            ? [
                [
                  'lifecycle',
                  `N=${p.lifecycleSamples} pipelines one after another, after ${p.lifecycleWarmUps} warm-up, each followed by its raw Docker twin;`,
                ],
                ['', '1 component, busybox sleep 3600, 1 replica'],
                ['', `health polled every ${p.statusPollMs} ms, stop through ?wait=; stop grace ${p.stopGraceSeconds} s`],
              ]
            : []),
          ...(results.dataPlane
            ? [
                [
                  'data plane',
                  `source, transform and sink: 1 replica each of ${REFERENCE_COMPONENT_IMAGE}; pipelines one after another, no warm-up;`,
                ],
                [
                  '',
                  `f. N=${p.throughputRuns} x ${p.throughputMessages} messages, g. N=${p.drainRuns} x ${p.drainMessages} messages per held consumer, h. N=${p.failureDetectionRuns}`,
                ],
              ]
            : []),
        ],
        'left',
      ),
    ),
  ];
}

function healthSection(health: HealthLatencyResult, parameters: BenchParameters): string[] {
  const row = (name: string, summary: LatencySummary) => [
    name,
    ms(summary.p50Ms),
    ms(summary.p99Ms),
    String(summary.calls),
    String(summary.failures),
  ];
  const failures = [health.health, health.describeFloor].flatMap((summary) =>
    summary.firstFailure ? [`first failure: ${summary.firstFailure}`] : [],
  );
  return [
    `a. Health latency: ${parameters.population} pipelines, all ${health.populationStatus} (reached in ${seconds(health.populationSettleMs)}), Docker network mode '${parameters.populationNetworkMode}'`,
    ...indent(
      alignColumns([
        ['', 'p50', 'p99', 'calls', 'failed'],
        row('GET /api/v1/pipeline/{id}/health', health.health),
        row('describe() floor', health.describeFloor),
        [
          'ratio health / floor',
          ratio(health.health.p50Ms, health.describeFloor.p50Ms),
          ratio(health.health.p99Ms, health.describeFloor.p99Ms),
          '',
          '',
        ],
      ]),
    ),
    ...indent(["latency counts from each call's scheduled start", ...failures]),
  ];
}

function listSection(list: ListLatencyResult, parameters: BenchParameters): string[] {
  const row = (name: string, summary: ReaderLatency) => [
    name,
    ms(summary.p50Ms),
    ms(summary.p99Ms),
    ms(summary.maxMs),
    String(summary.calls),
    String(summary.unavailable),
    String(summary.failures),
  ];
  const failures = [list.list, list.visibilityFloor].flatMap((summary) =>
    summary.firstFailure ? [`first failure: ${summary.firstFailure}`] : [],
  );
  return [
    `a2. List latency: ${list.pipelines} pipelines, ${parameters.listReaders} concurrent readers, first page of ${parameters.listPageSize}`,
    ...indent(
      alignColumns([
        ['', 'p50', 'p99', 'max', 'calls', '503s', 'other failures'],
        row('GET /api/v1/pipeline', list.list),
        row('one visibility page call (floor)', list.visibilityFloor),
        [
          'ratio list / floor',
          ratio(list.list.p50Ms, list.visibilityFloor.p50Ms),
          ratio(list.list.p99Ms, list.visibilityFloor.p99Ms),
          '',
          '',
          '',
          '',
        ],
      ]),
    ),
    ...indent([
      `closed loop: each reader sends its next call when the last answers; max: of the answered calls;`,
      `a 503 is a call past the API's ${seconds(parameters.apiTimeoutMs)} deadline; bar: no 503s`,
      ...failures,
    ]),
  ];
}

function lifecycleSection({ weir, rawDocker, temporalFloorStopMs }: LifecycleResults, parameters: BenchParameters): string[] {
  const row = (name: string, step: keyof typeof LIFECYCLE_BARS) => {
    const weirMs = median(weir.map((sample) => sample[step]));
    const rawMs = median(rawDocker.map((sample) => sample[step]));
    const pairRatios = weir.map((sample, index) => sample[step] / rawDocker[index][step]);
    const spread = `${ratio(Math.min(...pairRatios), 1)} - ${ratio(Math.max(...pairRatios), 1)}`;
    return [
      name,
      ms(weirMs),
      ms(rawMs),
      ms(weirMs - rawMs),
      ratio(weirMs, rawMs),
      ...barCells(weirMs / rawMs, LIFECYCLE_BARS[step]),
      spread,
    ];
  };
  return [
    `b-d. Lifecycle through Weir, e. the same Docker work done directly, in turn; medians of ${weir.length} pairs, Docker network mode '${parameters.lifecycleNetworkMode}'`,
    ...indent(
      alignColumns([
        ['', 'Weir', 'e. raw Docker', 'overhead', 'Weir / raw', 'bar', '', 'pair ratios'],
        row('b. create -> Running', 'createToRunningMs'),
        row('c. stop -> Stopped', 'stopToStoppedMs'),
        row('d. resume -> Running', 'resumeToRunningMs'),
      ]),
    ),
    ...indent(stopPhasesLines(weir)),
    ...indent(temporalFloorLines(weir, rawDocker, temporalFloorStopMs)),
  ];
}

/** The stop through the bare Temporal workflow, against raw Docker and against Weir's stop of the same pair. */
function temporalFloorLines(weir: WeirLifecycleSample[], rawDocker: LifecycleSample[], floorMs: number[]): string[] {
  const floor = median(floorMs);
  const raw = median(rawDocker.map(({ stopToStoppedMs }) => stopToStoppedMs));
  const weirStop = median(weir.map(({ stopToStoppedMs }) => stopToStoppedMs));
  return [
    `c2. the same Docker stop as the one activity of a bare update (the design's Temporal steps, nothing else): ${ms(floor)},`,
    `    ${ratio(floor, raw)} raw Docker; Weir's stop is ${ratio(weirStop, floor)} of it, ${ms(weirStop - floor)} more`,
  ];
}

/** A rolling edit's total time against a plain stop plus resume of the same pipeline, medians. */
function rollingEditSection(samples: RollingEditSample[], parameters: BenchParameters): string[] {
  const plainMs = median(samples.map((sample) => sample.stopPlusResumeMs));
  const rollingMs = median(samples.map((sample) => sample.rollingEditMs));
  const pairRatios = samples.map((sample) => sample.rollingEditMs / sample.stopPlusResumeMs);
  return [
    `Rolling edit (an env change: drain, edit, resume, the container recreated) against stop -> Stopped plus resume -> Running of the same pipeline; medians of ${samples.length}, Docker network mode '${parameters.lifecycleNetworkMode}'`,
    ...indent(
      alignColumns([
        ['stop + resume', 'rolling edit', 'rolling / plain', 'pair ratios'],
        [
          ms(plainMs),
          ms(rollingMs),
          ratio(rollingMs, plainMs),
          `${ratio(Math.min(...pairRatios), 1)} - ${ratio(Math.max(...pairRatios), 1)}`,
        ],
      ]),
    ),
  ];
}

/** Where Weir's stop time goes, from each stop's workflow history; the rest of the total is the wait's answer. */
function stopPhasesLines(weir: WeirLifecycleSample[]): string[] {
  const phase = (pick: (phases: StopPhases, totalMs: number) => number) =>
    ms(median(weir.map(({ stopPhases, stopToStoppedMs }) => pick(stopPhases, stopToStoppedMs))));
  const answer = (p: StopPhases, totalMs: number) => totalMs - p.acceptMs - p.dispatchMs - p.activityMs - p.recordMs;
  return [
    `c, from workflow history (medians): update accepted ${phase((p) => p.acceptMs)}, drain activity started +${phase((p) => p.dispatchMs)},`,
    `   ran ${phase((p) => p.activityMs)} (the Docker stop), Stopped recorded +${phase((p) => p.recordMs)}, the wait answers +${phase(answer)}`,
  ];
}

function liveScaleSection(samples: LiveScaleSample[], parameters: BenchParameters): string[] {
  const row = (name: string, pick: (sample: LiveScaleSample) => number) => {
    const values = samples.map(pick);
    return [name, ms(median(values)), ms(Math.min(...values)), ms(Math.max(...values))];
  };
  return [
    `b2. Live scale of a Running pipeline's one component (busybox sleep 3600), 1 -> ${parameters.scaleReplicas} -> 1 replicas; N=${samples.length} pipelines after ${parameters.scaleWarmUps} warm-up, Docker network mode '${parameters.lifecycleNetworkMode}'`,
    ...indent(
      alignColumns([
        ['', 'median', 'min', 'max'],
        row(`scale up 1 -> ${parameters.scaleReplicas}`, (sample) => sample.upMs),
        row(`scale down ${parameters.scaleReplicas} -> 1`, (sample) => sample.downMs),
      ]),
    ),
    ...indent([
      'from the PATCH until health shows exactly the new count ready and running, the pipeline Running throughout;',
      'down includes the surplus replicas stopping on SIGTERM and their containers being removed',
    ]),
  ];
}

function eventStreamSection({ latency, costs }: EventStreamResult, parameters: BenchParameters): string[] {
  const calls = (cost: WindowCost) => cost.watchCallsPerSecond.toFixed(2);
  const cpu = (cost: WindowCost) => `${(cost.apiCpu * 100).toFixed(1)}%`;
  const [one, many] = [costs[0], costs[costs.length - 1]];
  return [
    `i. Event streams: one pipeline, API in a process of its own; busy = ${parameters.eventCycles} stop/resume cycles, idle = ${parameters.eventIdleMs / 1000} s at rest`,
    ...indent(
      alignColumns([
        ['', 'p50', 'p99', 'max', 'samples'],
        ['transition -> event at a client', ms(latency.p50Ms), ms(latency.p99Ms), ms(latency.maxMs), String(latency.samples)],
      ]),
    ),
    ...indent(
      alignColumns([
        ['streams', 'Temporal calls/s busy', 'idle', 'API CPU busy', 'idle'],
        ...costs.map((cost) => [String(cost.streams), calls(cost.busy), calls(cost.idle), cpu(cost.busy), cpu(cost.idle)]),
        [
          `${many.streams} / ${one.streams}`,
          ratio(many.busy.watchCallsPerSecond, one.busy.watchCallsPerSecond),
          ratio(many.idle.watchCallsPerSecond, one.idle.watchCallsPerSecond),
          ratio(many.busy.apiCpu, one.busy.apiCpu),
          ratio(many.idle.apiCpu, one.idle.apiCpu),
        ],
      ]),
    ),
    ...indent([
      "latency: from the transition's time in the ledger until the client parsed it; calls: history long polls, status queries, health describes",
    ]),
  ];
}

function idleSection(idle: IdleCostResult): string[] {
  return [
    `j. Idle cost: ${idle.pipelines} Running pipelines (busybox sleep, 1 replica) on one worker in a process of its own, Docker network mode 'host'`,
    ...indent(alignColumns(idleCostRows(idle))),
    ...indent(idleCostNotes(idle)),
  ];
}

function notes(results: BenchResults, parameters: BenchParameters, run: RunSummary): string[] {
  const { containers, networks, volumes } = run.leftovers;
  const lifecycle = [
    '- Readiness: Weir counts a replica ready once it runs (busybox defines no healthcheck) and min_ready_seconds is 0,',
    "  the same rule as raw Docker's State.Status=running.",
    `- Weir times run from sending the request until the health endpoint, polled every ${parameters.statusPollMs} ms, shows the status;`,
    '  the stop until `POST .../stop?wait=` answers 200 with Stopped, the documented way to learn that it finished.',
    '- Pairs: each Weir sample is followed at once by its raw Docker twin, so both see the same background load; the range',
    "  of the pairs' ratios shows how noisy the machine was. Bars compare the medians.",
    '- c, from workflow history: the event times of each stop (update accepted, drain activity started and completed, the',
    "  workflow task that recorded Stopped); what is left is the wait's answer: the update's completion reaching the API.",
    '- c2: after its raw twin, the same container, running again, is stopped through a workflow whose update handler runs',
    '  one activity, the Docker stop call, and completes when it does: the accepted update, the activity and the workflow',
    '  task after it, which Weir needs to record Stopped. Timed from sending the update until its result, on the same',
    "  server and worker process as Weir's; no API, no HTTP.",
    '- Raw Docker: create = bridge network + volume + container with the options Weir uses, start, poll inspect until running;',
    `  stop = the stop call with t=${parameters.stopGraceSeconds} s, which answers once the container exited; resume = start again until running.`,
    `- Network mode: the lifecycle runs in the default '${parameters.lifecycleNetworkMode}' mode.`,
  ];
  const health = [
    `- The health population runs in '${parameters.populationNetworkMode}' mode, because Docker's default address pools hold only about`,
    '  30 bridge networks; health reads Temporal only, never Docker.',
  ];
  const dataPlane = [
    `- The data plane runs in '${parameters.dataPlaneNetworkMode}' mode, because its components must reach the benchmark's NATS server on 127.0.0.1.`,
  ];
  return [
    'notes',
    ...indent([
      ...(results.lifecycle ? lifecycle : []),
      ...(results.health ? health : []),
      ...(results.dataPlane ? dataPlane : []),
      `- Cleanup: pipelines deleted through the API; the final sweep by label weir.pipeline found ${containers} containers, ${networks} networks, ${volumes} volumes left,`,
      `  and the sweep of the pipelines' JetStream streams (prefix weir_<pipeline id>_) found ${run.leftoverStreams}.`,
    ]),
    `total runtime ${seconds(run.runtimeMs)}`,
  ];
}
