import type { IdleCostResult } from './idle-cost';
import { IDLE_BARS } from './idle-parameters';
import type { FailoverResult } from './failover';
import { alignColumns, indent, seconds } from './table-format';
import type { IdleWindow } from './worker-process-usage';

const BAR_SCALE = 1000;
/** A watch that timed out is retried after the first retry interval, 1 s by default. */
const FIRST_RETRY_MS = 1000;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 3 : 0)} MiB`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const percent = (share: number) => `${(share * 100).toFixed(share < 0.001 ? 4 : 1)}%`;
const perMinute = (calls: number) => calls.toFixed(calls < 10 ? 2 : 0);

interface Figure {
  name: string;
  pick: (window: IdleWindow) => number;
  total: (value: number) => string;
  perPipeline: (value: number) => string;
  bar?: { atMost: number; label: string };
}

const FIGURES: Figure[] = [
  {
    name: 'worker RSS',
    pick: (window) => window.workerRssBytes,
    total: mib,
    perPipeline: kib,
    bar: { atMost: IDLE_BARS.workerRssBytes, label: '< 1 GiB' },
  },
  {
    name: 'worker CPU (share of a core)',
    pick: (window) => window.workerCpu,
    total: percent,
    perPipeline: percent,
    bar: { atMost: IDLE_BARS.workerCpu, label: '< 3%' },
  },
  {
    name: 'Temporal server CPU',
    pick: (window) => window.temporalCpu,
    total: percent,
    perPipeline: percent,
    bar: { atMost: IDLE_BARS.temporalCpu, label: '< 10%' },
  },
  { name: 'worker gRPC calls / min', pick: (window) => window.grpcCallsPerMinute, total: perMinute, perPipeline: perMinute },
];

/**
 * Rows of the idle cost: with no pipeline, with all Running, per pipeline (the difference over the count) and the bar,
 * judged at 1,000 pipelines: measured when the run had 1,000, else projected from the per-pipeline figure.
 */
export function idleCostRows(result: IdleCostResult): string[][] {
  const { empty, running, pipelines } = result;
  const projected = pipelines !== BAR_SCALE;
  return [
    ['', 'no pipeline', `${pipelines} Running`, 'per pipeline', projected ? `projected at ${BAR_SCALE}` : '', 'bar', ''],
    ...FIGURES.map((figure) => {
      const [base, loaded] = [figure.pick(empty), figure.pick(running)];
      const each = (loaded - base) / pipelines;
      const atScale = projected ? base + each * BAR_SCALE : loaded;
      const bar = figure.bar;
      return [
        figure.name,
        figure.total(base),
        figure.total(loaded),
        figure.perPipeline(each),
        projected ? figure.total(atScale) : '',
        bar?.label ?? '',
        bar ? (atScale < bar.atMost ? 'met' : 'NOT met') : '',
      ];
    }),
  ];
}

/** The busiest operations of the worker's calls while idle, and the load on the machine. */
export function idleCostNotes(result: IdleCostResult): string[] {
  const { running } = result;
  const operations = running.callsPerMinuteByOperation
    .slice(0, 4)
    .map(([operation, calls]) => `${operation} ${perMinute(calls)}`)
    .join(', ');
  const load = (window: IdleWindow) => window.loadAverage.map((value) => value.toFixed(2)).join(' -> ');
  return [
    `calls / min with all Running, by operation: ${operations || 'none'}`,
    `population reached Running in ${seconds(result.populateMs)}; windows of ${seconds(running.seconds * 1000)}; load average (1 min) ${load(result.empty)} empty, ${load(running)} Running`,
  ];
}

/** Two workers sharing the population, then one killed: how soon the other held its watches. */
export function failoverSection(result: FailoverResult): string[] {
  const [doomed, survivor] = result.idle;
  const timeoutMs = result.heartbeatTimeoutSeconds * 1000;
  const both = (pick: (window: IdleWindow) => number, format: (value: number) => string) =>
    `${format(pick(doomed))} + ${format(pick(survivor))}`;
  return [
    `k. Failover: ${result.pipelines} Running pipelines on Kubernetes (kwok's fake node), two workers in processes of their own; one gets SIGKILL`,
    ...indent(
      alignColumns([
        ['', 'worker 1 + worker 2', 'per pipeline'],
        ['worker RSS', both((w) => w.workerRssBytes, mib), kib((doomed.workerRssBytes + survivor.workerRssBytes) / result.pipelines)],
        ['worker CPU', both((w) => w.workerCpu, percent), percent((doomed.workerCpu + survivor.workerCpu) / result.pipelines)],
        [
          'worker gRPC calls / min',
          both((w) => w.grpcCallsPerMinute, perMinute),
          perMinute((doomed.grpcCallsPerMinute + survivor.grpcCallsPerMinute) / result.pipelines),
        ],
        ['Temporal server CPU', percent(survivor.temporalCpu), percent(survivor.temporalCpu / result.pipelines)],
      ]),
    ),
    ...indent(
      alignColumns([
        ['', 'time', 'bar', ''],
        [
          `watches held before the kill: ${result.heldBefore[0]} + ${result.heldBefore[1]}; first moved after`,
          seconds(result.firstMovedMs),
          '',
          '',
        ],
        [
          `all ${result.heldBefore[0]} running on the other worker after`,
          seconds(result.allMovedMs),
          `<= heartbeat timeout + first retry, ${(timeoutMs + FIRST_RETRY_MS) / 1000} s`,
          result.allMovedMs <= timeoutMs + FIRST_RETRY_MS ? 'met' : 'NOT met',
        ],
      ]),
    ),
    ...indent([
      `${result.runningAfter} of ${result.pipelines} Running after the move; population reached Running in ${seconds(result.populateMs)}; load average (1 min) ${survivor.loadAverage.map((value) => value.toFixed(2)).join(' -> ')} in the idle window`,
    ]),
  ];
}
