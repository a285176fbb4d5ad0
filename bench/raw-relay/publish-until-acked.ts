import type { JetStreamClient, PubAck } from '@nats-io/jetstream';

/**
 * Publishes until the stream acknowledges, as the reference component does: a publish that timed out may still have
 * been stored, and its message id makes the stream drop the copy.
 */
export async function publishUntilAcked(js: JetStreamClient, subject: string, data: string | Uint8Array, msgID: string): Promise<PubAck> {
  for (;;) {
    try {
      return await js.publish(subject, data, { msgID });
    } catch {
      // Timeouts come from a machine too busy to answer in time: ask again at once.
    }
  }
}
