/** A figure's target as issue-style bars state them: a ratio to its floor that the figure must not exceed. */
export interface RatioBar {
  atMost: number;
}

/** Create and resume may take at most twice what raw Docker takes, stop at most 1.2 times. */
export const LIFECYCLE_BARS = {
  createToRunningMs: { atMost: 2 },
  stopToStoppedMs: { atMost: 1.2 },
  resumeToRunningMs: { atMost: 2 },
} satisfies Record<string, RatioBar>;

/** The bar and whether `value` meets it, as two report cells. */
export function barCells(value: number, bar: RatioBar): [string, string] {
  return [`<= ${bar.atMost.toFixed(2)}x`, value <= bar.atMost ? 'met' : 'NOT met'];
}
