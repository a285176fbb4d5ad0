import { DEFAULT_DRAIN_POLL_INTERVAL_MS } from '../activities/create-activities';
import { FIRST_DRAIN_POLL_MS } from '../activities/drain';
import type { DataPlaneResults, DrainRuns } from './data-plane';
import type { BenchParameters } from './parameters';
import type { SinkDelivery } from '../harness/pipeline-data';
import { median } from './stats';
import { alignColumns, indent, ms } from './table-format';

/** The drain's longest wait between looks at a consumer. */
const DRAIN_POLL_MS = DEFAULT_DRAIN_POLL_INTERVAL_MS;

export function dataPlaneSection({ throughput, drains, failureDetectionMs }: DataPlaneResults, parameters: BenchParameters): string[] {
  const drainRows = ({ held, samples }: DrainRuns, index: number) => [
    row(
      `${index === 0 ? 'g.' : '  '} stop -> Stopped, ${parameters.drainMessages} held before the ${held}`,
      pluck(samples, 'stopToStoppedMs'),
      ms,
    ),
    row('   pending + unacked at the stop', pluck(samples, 'pendingAtStop'), String),
    deliveryRow(pluck(samples, 'delivery')),
  ];
  return [
    `f-h. Data plane: source -> transform (passthrough) -> file sink, Docker network mode '${parameters.dataPlaneNetworkMode}'`,
    ...indent(
      alignColumns([
        ['', 'median', 'max', 'each run'],
        row(`f. throughput, ${parameters.throughputMessages} messages`, pluck(throughput, 'messagesPerSecond'), messagesPerSecond),
        row('   first publish to raw -> last ack by the sink', pluck(throughput, 'firstPublishToLastAckMs'), ms),
        deliveryRow(pluck(throughput, 'delivery')),
        row('   then stop -> Stopped, nothing pending', pluck(throughput, 'idleStopToStoppedMs'), ms),
        ...drains.flatMap(drainRows),
        row('h. transform killed -> health shows Failed', failureDetectionMs, ms),
      ]),
    ),
    ...indent([
      '- f: from the first message published to the raw stream (the source starts publishing before Running; a',
      "  subscription on its subject sees it) to the sink's last ack, sent once its batch is appended and fsynced, both on",
      "  this machine's clock. The source publishes as fast as it can, so the pace includes it.",
      '  Sink file: how many of the sequence numbers 1..messages it holds, extra copies, and absent ones.',
      '- g: the transform and the sink keep up with the source, so little would be pending when it is done. Instead, one',
      '  consumer is paused (JetStream consumer pause) from its provisioning, before its component starts, until just before',
      '  the stop. Timed from POST stop until health shows Stopped: Weir stops the source, then each component once its',
      `  consumer has nothing unfinished (looking again after ${FIRST_DRAIN_POLL_MS} ms, then at doubling waits of up to ${DRAIN_POLL_MS} ms); a component takes up`,
      '  to 1 s to stop, letting its pull expire.',
      "- h: docker kill (SIGKILL) of the transform container of a Running pipeline; from Docker's State.FinishedAt until health,",
      `  polled every ${parameters.statusPollMs} ms, first shows Failed.`,
    ]),
  ];
}

export function row(name: string, values: number[], format: (value: number) => string): string[] {
  return [name, format(median(values)), format(Math.max(...values)), values.map(format).join(', ')];
}

export function deliveryRow(deliveries: SinkDelivery[]): string[] {
  const each = deliveries.map(({ distinct, duplicates, missing }) => `${distinct}/${duplicates}/${missing.length}`);
  return ['   sink file: distinct / extra / absent', '', '', each.join(', ')];
}

export function pluck<T, K extends keyof T>(samples: T[], key: K): Array<T[K]> {
  return samples.map((sample) => sample[key]);
}

function messagesPerSecond(value: number): string {
  return `${Math.round(value)}/s`;
}
