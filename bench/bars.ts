/** A figure's target as issue-style bars state them: a ratio to its floor that the figure must stay within. */
export type RatioBar = { atMost: number } | { atLeast: number };

/** Create and resume may take at most twice what raw Docker takes, stop at most 1.2 times. */
export const LIFECYCLE_BARS = {
  createToRunningMs: { atMost: 2 },
  stopToStoppedMs: { atMost: 1.2 },
  resumeToRunningMs: { atMost: 2 },
} satisfies Record<string, RatioBar>;

/** Weir's throughput must reach at least 0.9 times the raw relay's. */
export const THROUGHPUT_BAR: RatioBar = { atLeast: 0.9 };

/** The bar and whether `value` meets it, as two report cells. */
export function barCells(value: number, bar: RatioBar): [string, string] {
  const [sign, limit, met] = 'atMost' in bar ? ['<=', bar.atMost, value <= bar.atMost] : ['>=', bar.atLeast, value >= bar.atLeast];
  return [`${sign} ${limit.toFixed(2)}x`, met ? 'met' : 'NOT met'];
}
