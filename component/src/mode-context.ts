import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from './log';

/** What every mode runs with; `signal` aborts when the component is told to stop. */
export interface ModeContext {
  nc: NatsConnection;
  component: string;
  logger: Logger;
  signal: AbortSignal;
}

/** Totals a mode reports when it stops. */
export type ModeCounts = Record<string, number>;
