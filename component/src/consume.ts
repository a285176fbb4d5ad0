import type { Consumer, JsMsg } from '@nats-io/jetstream';
import { Batcher } from './batcher';
import { FailureReporter } from './failure-reporter';
import type { Logger } from './log';
import { pause } from './pause';

const FETCH_MAX_MESSAGES = 256;
/** Messages received but not yet settled; beyond it, pulling waits for handling to catch up. */
const MAX_UNSETTLED_MESSAGES = 4 * FETCH_MAX_MESSAGES;
/** Also bounds how long a stop waits for a pull that receives nothing. */
const FETCH_EXPIRES_MS = 1_000;
const RETRY_DELAY_MS = 1_000;

/** `done` acks the message; `retry` naks it for redelivery. */
export type Settlement = 'done' | 'retry';

/** Settles each message of a batch, in order. Must not reject: failures are `retry`. */
export type BatchHandler = (messages: JsMsg[]) => Promise<Settlement[]>;

type ConsumeCounts = { acked: number; retried: number };

/**
 * Pulls from the durable consumer until `signal` aborts, handing what arrives to `handle` in batches. A stop lets the
 * current pull run out instead of cancelling it: messages the server already sent to a cancelled pull would be
 * dropped unacknowledged and stay pending until ack_wait.
 */
export async function consumeUntilStopped(
  consumer: Consumer,
  handle: BatchHandler,
  signal: AbortSignal,
  logger: Logger,
): Promise<ConsumeCounts> {
  const counts: ConsumeCounts = { acked: 0, retried: 0 };
  const batcher = new Batcher<JsMsg>(async (messages) => {
    const settlements = await handle(messages);
    messages.forEach((message, index) => {
      if (settlements[index] === 'done') {
        message.ack();
        counts.acked++;
      } else {
        message.nak(RETRY_DELAY_MS);
        counts.retried++;
      }
    });
  });
  const pullFailures = new FailureReporter(logger, 'pull');
  while (!signal.aborted) {
    try {
      const messages = await consumer.fetch({ max_messages: FETCH_MAX_MESSAGES, expires: FETCH_EXPIRES_MS });
      for await (const message of messages) batcher.add(message);
      pullFailures.succeeded();
    } catch (error) {
      pullFailures.failed(error);
      await pause(RETRY_DELAY_MS, signal);
    }
    if (batcher.backlog >= MAX_UNSETTLED_MESSAGES) await batcher.idle();
  }
  await batcher.idle();
  return counts;
}
