import type { CoreV1Api } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';

/** How many of a failed pod's last lines a failure message carries, as on Docker. */
export const FAILURE_LOG_LINES = 5;
/** At most this much of a failed pod's log is read, however long its lines. */
export const FAILURE_LOG_BYTES = 4096;
/** A node that does not answer must not hold the failure back: its message then goes without the log. */
const FAILURE_LOG_TIMEOUT_MS = 3000;

/**
 * The last lines the component's container in `pod` wrote: those of its previous run when it restarted (the run that
 * failed), else of its current one; '' when the node has no log to give within a few seconds.
 */
export async function lastPodLogLines(core: CoreV1Api, namespace: string, pod: string, container: string): Promise<string> {
  const read = (previous: boolean) =>
    core.readNamespacedPodLog({ name: pod, namespace, container, previous, tailLines: FAILURE_LOG_LINES, limitBytes: FAILURE_LOG_BYTES });
  const log = read(true)
    .catch(() => read(false))
    .catch(() => '');
  const text = await Promise.race([log, sleep(FAILURE_LOG_TIMEOUT_MS, '')]);
  return text.trimEnd().split('\n').slice(-FAILURE_LOG_LINES).join('\n');
}
