import { open } from 'node:fs/promises';
import { jetstream, type JsMsg } from '@nats-io/jetstream';
import { connectAsRole } from './role-connection';
import { announceReady, runRole } from './run-role';

/**
 * Appends one JSON line per input message, until SIGTERM. Everything that arrives while a write and its fsync run
 * is written next, in one append and one fsync, and acked after it.
 */
runRole(async (options, stopped) => {
  const { settings, inputStream, inputConsumer, file } = options;
  const nc = await connectAsRole(options);
  const consumer = await jetstream(nc).consumers.get(inputStream, inputConsumer);
  const handle = await open(file, 'a');
  const messages = await consumer.consume({ max_messages: settings.pullBatch, threshold_messages: settings.pullThreshold });
  void stopped.then(() => messages.close());
  let queued: JsMsg[] = [];
  let writing: Promise<void> | undefined;
  const writeQueued = async () => {
    while (queued.length > 0) {
      const batch = queued;
      queued = [];
      await handle.appendFile(batch.map((message) => `${JSON.stringify(JSON.parse(message.string()))}\n`).join(''));
      await handle.datasync();
      for (const message of batch) message.ack();
    }
    writing = undefined;
  };
  announceReady();
  for await (const message of messages) {
    queued.push(message);
    writing ??= writeQueued();
  }
  await writing;
  await handle.close();
  await nc.drain();
});
