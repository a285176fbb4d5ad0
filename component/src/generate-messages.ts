import type { JetStreamClient } from '@nats-io/jetstream';
import type { SourceConfig } from './config';
import type { FailureReporter } from './failure-reporter';
import { InFlightWindow } from './in-flight-window';
import { createPacer } from './pacer';
import { pause } from './pause';
import type { SourceProgress } from './source-progress';

const MAX_UNACKED_PUBLISHES = 1024;
const RETRY_DELAY_MS = 1_000;

export interface GeneratedCounts {
  published: number;
  /** Acknowledged as already in the stream, e.g. published again after a restart. */
  duplicates: number;
}

interface GenerateOptions {
  js: JetStreamClient;
  config: SourceConfig;
  component: string;
  progress: SourceProgress;
  publishFailures: FailureReporter;
  signal: AbortSignal;
}

/** Publishes `{seq, key, ts}` messages after the saved progress, until SOURCE_COUNT is reached or the source stops. */
export async function generateMessages({
  js,
  config,
  component,
  progress,
  publishFailures,
  signal,
}: GenerateOptions): Promise<GeneratedCounts> {
  const counts: GeneratedCounts = { published: 0, duplicates: 0 };
  const window = new InFlightWindow(MAX_UNACKED_PUBLISHES);
  const pace = createPacer(config.ratePerSecond);
  const last = config.count ?? Number.MAX_SAFE_INTEGER;
  const first = progress.lastAcked + 1;

  const publishUntilAcked = async (seq: number) => {
    const payload = JSON.stringify({ seq, key: `k-${seq % config.keys}`, ts: Date.now() });
    // Only a stop ends the retries; the message is then published again after a restart.
    while (!signal.aborted) {
      try {
        const ack = await js.publish(config.outputSubject, payload, { msgID: `${component}-${seq}` });
        counts[ack.duplicate ? 'duplicates' : 'published']++;
        publishFailures.succeeded();
        progress.acked(seq);
        return;
      } catch (error) {
        publishFailures.failed(error);
        await pause(RETRY_DELAY_MS, signal);
      }
    }
  };

  for (let seq = first; seq <= last; seq++) {
    await pace(seq - first, signal);
    if (signal.aborted) break;
    await window.start(() => publishUntilAcked(seq));
  }
  await window.settled();
  return counts;
}
