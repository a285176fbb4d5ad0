import { jetstream, type JsMsg } from '@nats-io/jetstream';
import type { TransformConfig } from './config';
import { consumeUntilStopped, type Settlement } from './consume';
import { FailureReporter } from './failure-reporter';
import { inputConsumer } from './input-consumer';
import { createMessageFilter } from './message-filters';
import type { ModeContext, ModeCounts } from './mode-context';

/** Republishes the input messages the transform keeps; an input is acked only once its output is acknowledged. */
export async function runTransform(config: TransformConfig, { nc, component, logger, signal }: ModeContext): Promise<ModeCounts> {
  const js = jetstream(nc);
  const consumer = await inputConsumer(js, config.input);
  const keep = createMessageFilter(config.transform);
  const publishFailures = new FailureReporter(logger, 'publish');
  const counts = { published: 0, dropped: 0 };
  logger.info('started', { mode: 'transform', input: config.input, outputSubject: config.outputSubject, transform: config.transform });

  const settle = async (message: JsMsg): Promise<Settlement> => {
    if (!keep(message)) {
      counts.dropped++;
      return 'done';
    }
    return publishFailures.settle(async () => {
      // Derived from the input, so a redelivered input is dropped as a duplicate by the output stream.
      await js.publish(config.outputSubject, message.data, { msgID: `${component}-${message.info.streamSequence}` });
      counts.published++;
    });
  };

  // Each `settle` runs synchronously up to its first await, so `keep` sees the messages in order.
  const consumed = await consumeUntilStopped(consumer, (messages) => Promise.all(messages.map(settle)), 'overlapping', signal, logger);
  return { ...consumed, ...counts };
}
