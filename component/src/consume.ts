import type { Consumer, JsMsg } from '@nats-io/jetstream';
import { Batcher } from './batcher';
import { FailureReporter } from './failure-reporter';
import type { Logger } from './log';
import { pause } from './pause';

const FETCH_MAX_MESSAGES = 500;
/**
 * Pulls awaiting messages at once: while one is being filled the next is already waiting at the server, so delivery
 * does not pause for a round trip after each pull. Together they ask for as many as Weir's max_ack_pending (1000).
 */
const PULLS_AT_ONCE = 2;
/** Messages received but not yet settled; beyond it, pulling waits for handling to catch up. */
const MAX_UNSETTLED_MESSAGES = 2 * PULLS_AT_ONCE * FETCH_MAX_MESSAGES;
/** Also bounds how long a stop waits for a pull that receives nothing. */
const FETCH_EXPIRES_MS = 1_000;
const RETRY_DELAY_MS = 1_000;

/** `done` acks the message; `retry` naks it for redelivery. */
export type Settlement = 'done' | 'retry';

/** Settles each message of a batch, in order. Must not reject: failures are `retry`. */
export type BatchHandler = (messages: JsMsg[]) => Promise<Settlement[]>;

/**
 * How batches reach the handler: `one-at-a-time` waits for a batch to be settled before handing the next (a sink that
 * appends in order); `overlapping` hands each batch at once, so that a message is acked as soon as it is settled.
 */
export type BatchOrder = 'one-at-a-time' | 'overlapping';

/** Batches in process at once when they overlap: more than the messages that can be unsettled, so never the limit. */
const OVERLAPPING_BATCHES = MAX_UNSETTLED_MESSAGES;

type ConsumeCounts = { acked: number; retried: number };

/**
 * Pulls from the durable consumer until `signal` aborts, handing what arrives to `handle` in batches. A stop lets the
 * current pulls run out instead of cancelling them: messages the server already sent to a cancelled pull would be
 * dropped unacknowledged and stay pending until ack_wait.
 */
export async function consumeUntilStopped(
  consumer: Consumer,
  handle: BatchHandler,
  order: BatchOrder,
  signal: AbortSignal,
  logger: Logger,
): Promise<ConsumeCounts> {
  const counts: ConsumeCounts = { acked: 0, retried: 0 };
  const settle = async (messages: JsMsg[]) => {
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
  };
  const batcher = new Batcher<JsMsg>(settle, order === 'overlapping' ? OVERLAPPING_BATCHES : 1);
  const pullFailures = new FailureReporter(logger, 'pull');
  const pullUntilStopped = async () => {
    while (!signal.aborted) {
      try {
        const messages = await consumer.fetch({ max_messages: FETCH_MAX_MESSAGES, expires: FETCH_EXPIRES_MS });
        for await (const message of messages) batcher.add(message);
        pullFailures.succeeded();
      } catch (error) {
        pullFailures.failed(error);
        await pause(RETRY_DELAY_MS, signal);
      }
      while (batcher.backlog >= MAX_UNSETTLED_MESSAGES) await batcher.idle();
    }
  };
  await Promise.all(Array.from({ length: PULLS_AT_ONCE }, pullUntilStopped));
  await batcher.idle();
  return counts;
}
