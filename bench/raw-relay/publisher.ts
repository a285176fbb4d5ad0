import { jetstream } from '@nats-io/jetstream';
import { publishUntilAcked } from './publish-until-acked';
import { PublishWindow } from './publish-window';
import { connectAsRole } from './role-connection';
import { runRole } from './run-role';

/** As many as the reference component's source cycles through by default. */
const KEYS = 1000;

/** Publishes `{seq, key, ts}` messages 1..messages, as the reference component's source does, then exits. */
runRole(async (options) => {
  const { settings, messages, outputSubject } = options;
  const nc = await connectAsRole(options);
  const js = jetstream(nc);
  const window = new PublishWindow(settings.publishWindow);
  for (let seq = 1; seq <= messages; seq++) {
    const payload = JSON.stringify({ seq, key: `k-${seq % KEYS}`, ts: Date.now() });
    await window.add(publishUntilAcked(js, outputSubject, payload, `source-${seq}`));
  }
  await window.drained();
  await nc.drain();
});
