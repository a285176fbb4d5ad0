import type { JsMsg } from '@nats-io/jetstream';
import type { TransformSpec } from './config';

/** True to publish the message, false to drop it. Called for every delivery, in delivery order. */
type MessageFilter = (message: JsMsg) => boolean;

export function createMessageFilter(spec: TransformSpec): MessageFilter {
  switch (spec.kind) {
    case 'passthrough':
      return () => true;
    case 'filter':
      return (message) => {
        const value = jsonObject(message)?.[spec.field];
        return value !== undefined && String(value) === spec.equals;
      };
    case 'dedupe': {
      const recentKeys = new RecentKeys(spec.windowMs);
      return (message) => {
        const key = jsonObject(message)?.key;
        return key === undefined || recentKeys.admit(String(key), message.info.streamSequence);
      };
    }
  }
}

function jsonObject(message: JsMsg): Record<string, unknown> | undefined {
  try {
    const value: unknown = message.json();
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Admits the first message of each key per window; later ones within the window are duplicates. */
class RecentKeys {
  /** In admission order, so the expired ones are at the front. */
  private readonly admitted = new Map<string, { at: number; streamSequence: number }>();

  constructor(private readonly windowMs: number) {}

  admit(key: string, streamSequence: number): boolean {
    const now = Date.now();
    this.forgetExpired(now);
    const earlier = this.admitted.get(key);
    // The admitted message itself comes back when its publish failed and it was redelivered.
    if (earlier) return earlier.streamSequence === streamSequence;
    this.admitted.set(key, { at: now, streamSequence });
    return true;
  }

  private forgetExpired(now: number): void {
    for (const [key, { at }] of this.admitted) {
      if (now - at < this.windowMs) return;
      this.admitted.delete(key);
    }
  }
}
