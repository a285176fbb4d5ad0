import { ApiException, CoreV1Api, Log, type KubeConfig } from '@kubernetes/client-node';
import { PassThrough, type Writable } from 'node:stream';
import { componentsSelector, isDnsLabel, pipelineIdProblem } from '../pipeline/kubernetes-names';
import { COMPONENT_LABEL } from '../pipeline/names';
import { ApiError } from './api-error';
import type { ComponentLogSource, LogLine } from './component-logs';

/** A replica's log read at once is cut at this size, as `kubectl logs --limit-bytes` would. */
const TAIL_LIMIT_BYTES = 1024 * 1024;

/**
 * Components' logs read from their pods through the Kubernetes API, each line tagged with its pod's name. Kubernetes
 * merges a container's stdout and stderr, so the lines carry no stream.
 */
export class KubernetesLogSource implements ComponentLogSource {
  private readonly core: CoreV1Api;
  private readonly log: Log;

  constructor(
    kubeConfig: KubeConfig,
    private readonly namespace: string,
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.log = new Log(kubeConfig);
  }

  async tail(pipelineId: string, component: string, tail: number): Promise<LogLine[]> {
    const pods = await this.pods(pipelineId, component);
    const logs = await Promise.all(
      pods.map(async (pod) => {
        const text = await withoutLog(
          this.core.readNamespacedPodLog({
            name: pod,
            namespace: this.namespace,
            container: component,
            tailLines: tail,
            timestamps: true,
            limitBytes: TAIL_LIMIT_BYTES,
          }),
        );
        return text === undefined ? [] : linesOf(pod, text);
      }),
    );
    return logs.flat().sort((a, b) => compareTimes(a.at, b.at));
  }

  async follow(
    pipelineId: string,
    component: string,
    tail: number,
    into: Writable,
    signal: AbortSignal,
  ): Promise<{ ended: Promise<void> }> {
    const pods = await this.pods(pipelineId, component);
    const streams = await Promise.all(
      pods.map(async (pod) => {
        const stream = new PassThrough();
        const opened = await withoutLog(
          this.log.log(this.namespace, pod, component, stream, { follow: true, tailLines: tail, timestamps: true }),
        );
        return opened && { pod, stream, opened };
      }),
    );
    const open = streams.filter((entry) => entry !== undefined);
    const ended = Promise.all(
      open.map(({ pod, stream, opened }) => {
        signal.addEventListener('abort', () => opened.abort(), { once: true });
        return copyLines(pod, stream, into, signal);
      }),
    );
    return { ended: ended.then(() => undefined) };
  }

  /** The names of the component's live pods, in name order; none for names no Kubernetes object can carry. */
  private async pods(pipelineId: string, component: string): Promise<string[]> {
    if (pipelineIdProblem(pipelineId) || !isDnsLabel(component)) return [];
    const { items } = await apiCall(() =>
      this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: componentsSelector(pipelineId, [component]) }),
    );
    return items
      .filter((pod) => !pod.metadata?.deletionTimestamp && pod.metadata?.labels?.[COMPONENT_LABEL] === component && pod.metadata.name)
      .map((pod) => pod.metadata!.name!)
      .sort();
  }
}

/** Copies one pod's log into `into` line by line, pausing while `into` is full; resolves when the log ends or `signal` aborts. */
function copyLines(pod: string, stream: PassThrough, into: Writable, signal: AbortSignal): Promise<void> {
  let partial = '';
  return new Promise((resolve) => {
    const finish = () => {
      if (partial && !into.destroyed) into.write(lineOf(pod, partial));
      partial = '';
      stream.destroy();
      resolve();
    };
    if (signal.aborted) return finish();
    signal.addEventListener('abort', finish, { once: true });
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (!into.destroyed) into.write(lineOf(pod, line));
      if (into.writableNeedDrain) {
        stream.pause();
        into.once('drain', () => stream.resume());
      }
    });
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', finish);
  });
}

function linesOf(pod: string, text: string): LogLine[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => lineOf(pod, line));
}

/** `<RFC 3339 time> <text>`, as the Kubernetes API writes a line with timestamps. */
function lineOf(pod: string, raw: string): LogLine {
  const space = raw.indexOf(' ');
  return { replica: pod, at: space > 0 ? raw.slice(0, space) : '', text: (space > 0 ? raw.slice(space + 1) : raw).replace(/\r$/, '') };
}

/** The kubelet trims trailing zeros of its nanosecond times, so they sort as strings only once padded. */
function compareTimes(a: string, b: string): number {
  const padded = (time: string) =>
    time.replace(/(?:\.(\d+))?Z$/, (_match, fraction: string | undefined) => `.${(fraction ?? '').padEnd(9, '0')}Z`);
  const [x, y] = [padded(a), padded(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * A pod whose container has no log yet (still waiting to start) or no longer has one (gone): undefined, so it adds no
 * lines. Only an unreachable API server is an error.
 */
async function withoutLog<T>(reading: Promise<T>): Promise<T | undefined> {
  try {
    return await reading;
  } catch (error) {
    if (!(error instanceof ApiException)) throw unreachable(error);
    return undefined;
  }
}

async function apiCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof ApiException ? error : unreachable(error);
  }
}

function unreachable(error: unknown): ApiError {
  return new ApiError('UNAVAILABLE', `the Kubernetes API server that runs the components is unreachable: ${(error as Error).message}`);
}
