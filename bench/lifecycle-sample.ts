/** How long one pipeline took through each lifecycle step, in milliseconds. */
export interface LifecycleSample {
  createToRunningMs: number;
  stopToStoppedMs: number;
  resumeToRunningMs: number;
}
