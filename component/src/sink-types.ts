import type { BatchHandler } from './consume';

/** Where a sink component delivers messages. */
export interface Sink {
  write: BatchHandler;
  close(): Promise<void>;
}
