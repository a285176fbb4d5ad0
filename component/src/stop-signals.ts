import { setMaxListeners } from 'node:events';
import type { Logger } from './log';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Aborts on the first SIGTERM or SIGINT, so that every mode can wind down. */
export function abortOnStopSignals(logger: Logger): AbortSignal {
  const controller = new AbortController();
  // Every publish in flight may wait on the signal while retrying, far more than the 10 listeners Node warns about.
  setMaxListeners(0, controller.signal);
  for (const name of STOP_SIGNALS) {
    process.on(name, () => {
      if (controller.signal.aborted) return;
      logger.info('stopping', { signal: name });
      controller.abort();
    });
  }
  return controller.signal;
}
