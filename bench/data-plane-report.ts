import { DEFAULT_DRAIN_POLL_INTERVAL_MS } from '../activities/create-activities';
import { FIRST_DRAIN_POLL_MS } from '../activities/drain';
import type { DataPlaneResults, DrainRuns } from './data-plane';
import type { BenchParameters } from './parameters';
import type { SinkDelivery } from '../harness/pipeline-data';
import { THROUGHPUT_BAR, barCells } from './bars';
import { RAW_RELAY_SETTINGS } from './raw-relay/settings';
import { median } from './stats';
import type { ThroughputResults } from './throughput';
import { alignColumns, indent, ms, ratio } from './table-format';

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
        row(
          `f. throughput, ${parameters.throughputMessages} messages, Weir`,
          pluck(throughput.weir, 'messagesPerSecond'),
          messagesPerSecond,
        ),
        row('   first publish to raw -> last ack by the sink', pluck(throughput.weir, 'firstPublishToLastAckMs'), ms),
        deliveryRow(pluck(throughput.weir, 'delivery')),
        row('   then stop -> Stopped, nothing pending', pluck(throughput.weir, 'idleStopToStoppedMs'), ms),
        row('   the same through the raw relay', pluck(throughput.rawRelay, 'messagesPerSecond'), messagesPerSecond),
        row('   first publish -> last ack by its consumer', pluck(throughput.rawRelay, 'firstPublishToLastAckMs'), ms),
        deliveryRow(pluck(throughput.rawRelay, 'delivery'), 'consumer'),
        ...drains.flatMap(drainRows),
        row('h. transform killed -> health shows Failed', failureDetectionMs, ms),
      ]),
    ),
    ...indent(throughputBarLines(throughput)),
    ...indent([
      '- f: from the first message published to the raw stream (the source starts publishing before Running; a',
      "  subscription on its subject sees it) to the sink's last ack, sent once its batch is appended and fsynced, both on",
      "  this machine's clock. The source publishes as fast as it can, so the pace includes it.",
      '  Sink file: how many of the sequence numbers 1..messages it holds, extra copies, and absent ones.',
      '  Raw relay: a publisher, a relay and a consumer, three Node processes on the host with the same client library, on',
      "  streams and consumers provisioned by Weir's data plane for the same pipeline (file storage, interest retention, 120 s",
      '  duplicate window; explicit acks, ack wait 30 s, max ack pending 1000), with message ids as the components set them.',
      '  Each connects as a NATS user with the permissions Weir gives the component it stands in for, so the server checks',
      '  the same permissions on every publish and ack.',
      '  The relay acks an input once its output is acknowledged; the consumer appends, fsyncs, then acks. It starts publishing',
      '  once the relay and the consumer are pulling. Weir and the raw relay take turns, one run each, Weir first in every other pair.',
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

export function deliveryRow(deliveries: SinkDelivery[], writer = 'sink'): string[] {
  const each = deliveries.map(({ distinct, duplicates, missing }) => `${distinct}/${duplicates}/${missing.length}`);
  return [`   ${writer} file: distinct / extra / absent`, '', '', each.join(', ')];
}

/** Weir's median throughput over the raw relay's, beside its bar, and what the raw relay ran with. */
function throughputBarLines({ weir, rawRelay, loadAverages }: ThroughputResults): string[] {
  const weirRate = median(pluck(weir, 'messagesPerSecond'));
  const rawRate = median(pluck(rawRelay, 'messagesPerSecond'));
  const pairRatios = weir.map((sample, index) => sample.messagesPerSecond / rawRelay[index].messagesPerSecond);
  const settings = RAW_RELAY_SETTINGS;
  return [
    ...alignColumns([
      ['', 'Weir', 'raw relay', 'Weir / raw', 'bar', '', 'pair ratios'],
      [
        'f. throughput, medians',
        messagesPerSecond(weirRate),
        messagesPerSecond(rawRate),
        ratio(weirRate, rawRate),
        ...barCells(weirRate / rawRate, THROUGHPUT_BAR),
        `${ratio(Math.min(...pairRatios), 1)} - ${ratio(Math.max(...pairRatios), 1)}`,
      ],
    ]),
    `   raw relay: ${settings.publishWindow} publishes in flight at the publisher; the relay and the consumer pull ${settings.pullBatch} at a`,
    `   time and ask again when ${settings.pullThreshold} are left (consume()); async stack traces ${settings.asyncTraces ? 'on' : 'off'};`,
    `   load average (1 min) after each pair: ${loadAverages.map((load) => load.toFixed(1)).join(', ')}`,
  ];
}

export function pluck<T, K extends keyof T>(samples: T[], key: K): Array<T[K]> {
  return samples.map((sample) => sample[key]);
}

function messagesPerSecond(value: number): string {
  return `${Math.round(value)}/s`;
}
