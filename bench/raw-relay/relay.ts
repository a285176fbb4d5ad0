import { jetstream } from '@nats-io/jetstream';
import { publishUntilAcked } from './publish-until-acked';
import { PublishWindow } from './publish-window';
import { connectAsRole } from './role-connection';
import { announceReady, runRole } from './run-role';

/** Republishes every input message, acking it once its output is acknowledged, until SIGTERM. */
runRole(async (options, stopped) => {
  const { settings, inputStream, inputConsumer, outputSubject } = options;
  const nc = await connectAsRole(options);
  const js = jetstream(nc);
  const consumer = await js.consumers.get(inputStream, inputConsumer);
  const messages = await consumer.consume({ max_messages: settings.pullBatch, threshold_messages: settings.pullThreshold });
  void stopped.then(() => messages.close());
  // max_ack_pending bounds what is in flight; the window only tracks it.
  const window = new PublishWindow(Number.POSITIVE_INFINITY);
  announceReady();
  for await (const message of messages) {
    const publish = publishUntilAcked(js, outputSubject, message.data, `transform-${message.info.streamSequence}`);
    await window.add(publish.then(() => message.ack()));
  }
  await window.drained();
  await nc.drain();
});
