import { ApiException, CoreV1Api, Log, type KubeConfig } from '@kubernetes/client-node';
import { PassThrough, type Writable } from 'node:stream';
import { componentsSelector, isDnsLabel, pipelineIdProblem } from '../pipeline/kubernetes-names';
import { COMPONENT_LABEL } from '../pipeline/names';
import { ApiError } from './api-error';
import type { ComponentLogSource, LogLine } from './component-logs';
import { copyLines, TextLineDecoder, timestampedLine } from './log-lines';

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
        return copyLines(stream, (onLine) => podLineDecoder(pod, onLine), into, signal);
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

function linesOf(pod: string, text: string): LogLine[] {
  const lines: LogLine[] = [];
  const decoder = podLineDecoder(pod, (line) => lines.push(line));
  decoder.write(text);
  decoder.end();
  return lines;
}

function podLineDecoder(pod: string, onLine: (line: LogLine) => void): TextLineDecoder {
  return new TextLineDecoder((raw) => onLine(timestampedLine(pod, raw)));
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
    if (!(error instanceof ApiException)) throw unreachable();
    return undefined;
  }
}

async function apiCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof ApiException ? error : unreachable();
  }
}

function unreachable(): ApiError {
  return new ApiError('UNAVAILABLE', 'the Kubernetes API server that runs the components is unreachable');
}
