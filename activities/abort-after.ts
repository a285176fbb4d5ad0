/** A signal that aborts when its parent does or once its time is up; `dispose` releases the timer and the listener. */
export interface TimedSignal {
  signal: AbortSignal;
  dispose(): void;
}

/**
 * `AbortSignal.any([parent, AbortSignal.timeout(ms)])`, except that it is sure to fire: Node 20 can
 * garbage-collect the signals those two make while a listener still waits on them, and then never aborts.
 * Here a plain timer holds the controller.
 */
export function abortAfter(parent: AbortSignal, ms: number): TimedSignal {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const dispose = (): void => {
    clearTimeout(timer);
    parent.removeEventListener('abort', onParentAbort);
  };
  const onParentAbort = (): void => {
    dispose();
    controller.abort(parent.reason);
  };
  if (parent.aborted) {
    controller.abort(parent.reason);
  } else {
    timer = setTimeout(() => {
      dispose();
      controller.abort(new Error(`timed out after ${ms} ms`));
    }, ms);
    parent.addEventListener('abort', onParentAbort, { once: true });
  }
  return { signal: controller.signal, dispose };
}

/** Runs `task` with a signal that aborts when `parent` does or after `ms`, releasing the timer once the task settles. */
export async function withDeadline<T>(parent: AbortSignal, ms: number, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const timed = abortAfter(parent, ms);
  try {
    return await task(timed.signal);
  } finally {
    timed.dispose();
  }
}
