import { pause } from './pause';

/** Waits until the message with the given index (0 for the first) is due, or at once without a rate. */
type Pacer = (index: number, signal: AbortSignal) => Promise<void>;

/** Spreads messages evenly: the i-th is due i / rate seconds after the pacer was created. */
export function createPacer(ratePerSecond: number | undefined): Pacer {
  if (ratePerSecond === undefined) return async () => undefined;
  const start = Date.now();
  return async (index, signal) => {
    const wait = start + (index * 1000) / ratePerSecond - Date.now();
    if (wait > 0) await pause(wait, signal);
  };
}
