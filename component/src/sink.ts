import { jetstream } from '@nats-io/jetstream';
import type { SinkConfig } from './config';
import { consumeUntilStopped } from './consume';
import { FailureReporter } from './failure-reporter';
import { openFileSink } from './file-sink';
import { createHttpSink } from './http-sink';
import { inputConsumer } from './input-consumer';
import type { ModeContext, ModeCounts } from './mode-context';
import type { Sink } from './sink-types';

/** Delivers the input messages to a file or an HTTP endpoint, one batch after another; a message is acked only once delivered. */
export async function runSink(config: SinkConfig, { nc, logger, signal }: ModeContext): Promise<ModeCounts> {
  const consumer = await inputConsumer(jetstream(nc), config.input);
  const failures = new FailureReporter(logger, `sink_${config.sink.kind}`);
  const sink: Sink =
    config.sink.kind === 'file' ? await openFileSink(config.sink.path, failures) : createHttpSink(config.sink.url, failures);
  logger.info('started', { mode: 'sink', input: config.input, sink: config.sink });
  try {
    return await consumeUntilStopped(consumer, sink.write, 'one-at-a-time', signal, logger);
  } finally {
    await sink.close();
  }
}
