/** Matches kwok's pod-fail stage in kwok-stages.yaml. */
const FAIL_LABEL = 'weir.kwok/fail';
const REASON_ANNOTATION = 'weir.kwok/fail-reason';
const EXIT_CODE_ANNOTATION = 'weir.kwok/fail-exit-code';
/** Like the reasons kubelets report: OOMKilled, Error, ContainerCannotRun. */
const REASON_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

export interface PodMarks {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * What to merge into a running pod's metadata on kwok's node so that it fails as if its containers ended with
 * `reason` and `exitCode`, e.g. OOMKilled and 137.
 */
export function kwokFailureMarks(reason: string, exitCode: number): PodMarks {
  if (!REASON_PATTERN.test(reason))
    throw new Error(`${JSON.stringify(reason)} is not a container termination reason (letters and digits, e.g. OOMKilled)`);
  if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255) throw new Error(`${exitCode} is not an exit code (0 to 255)`);
  return {
    labels: { [FAIL_LABEL]: 'true' },
    annotations: { [REASON_ANNOTATION]: reason, [EXIT_CODE_ANNOTATION]: String(exitCode) },
  };
}
