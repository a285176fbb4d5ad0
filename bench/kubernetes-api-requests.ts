import { readFile } from 'node:fs/promises';
import https from 'node:https';
import type { ControlPlane } from '../scripts/kubernetes/control-plane';
import { parseExposition, sampleSum } from '../harness/metrics-scrape';

/** The requests of one kind of step, summed over every time it was counted. */
export interface PhaseRequests {
  phase: string;
  /** How many times the step was counted: pipelines for a phase over the population, samples for one pipeline. */
  times: number;
  durationMs: number;
  /** Weir's worker's requests, from the API server's audit log. */
  weir: number;
  /** Weir's requests by verb and resource, e.g. "patch deployments". */
  weirByKind: Map<string, number>;
  /** Every client's requests that completed in the windows (the controllers, the scheduler, kwok, the kubelet, Weir). */
  allClients: number;
}

interface CountedWindow {
  phase: string;
  times: number;
  startMs: number;
  endMs: number;
  allClients: number;
}

interface AuditEvent {
  stage: string;
  verb: string;
  user: { username: string };
  objectRef?: { resource?: string; subresource?: string };
  requestReceivedTimestamp: string;
}

/**
 * Counts Kubernetes API requests in windows of time: Weir's from the audit log, which records each request of its
 * service account as the API server receives it, and everyone's from the API server's apiserver_request_total.
 */
export class ApiRequestCounter {
  private readonly windows: CountedWindow[] = [];

  constructor(
    private readonly plane: ControlPlane,
    private readonly workerUser: string,
  ) {
    if (!plane.auditLogFile) throw new Error('the control plane was started without an audit log');
  }

  /** Runs `work` and counts the requests made meanwhile as `times` runs of `phase`. */
  async during<T>(phase: string, times: number, work: () => Promise<T>): Promise<T> {
    const before = await this.allClientRequests();
    const startMs = Date.now();
    const result = await work();
    const endMs = Date.now();
    this.windows.push({ phase, times, startMs, endMs, allClients: (await this.allClientRequests()) - before });
    return result;
  }

  /** Each phase counted, in the order first counted. */
  async phases(): Promise<PhaseRequests[]> {
    const events = await this.auditEvents();
    const phases = new Map<string, PhaseRequests>();
    for (const window of this.windows) {
      const phase = phases.get(window.phase) ?? {
        phase: window.phase,
        times: 0,
        durationMs: 0,
        weir: 0,
        weirByKind: new Map(),
        allClients: 0,
      };
      phases.set(window.phase, phase);
      phase.times += window.times;
      phase.durationMs += window.endMs - window.startMs;
      phase.allClients += window.allClients;
      for (const event of events) {
        if (event.atMs < window.startMs || event.atMs > window.endMs) continue;
        phase.weir += 1;
        phase.weirByKind.set(event.kind, (phase.weirByKind.get(event.kind) ?? 0) + 1);
      }
    }
    return [...phases.values()];
  }

  private async auditEvents(): Promise<Array<{ atMs: number; kind: string }>> {
    const text = await readFile(this.plane.auditLogFile!, 'utf8');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as AuditEvent)
      .filter((event) => event.stage === 'RequestReceived' && event.user.username === this.workerUser)
      .map((event) => {
        const resource = [event.objectRef?.resource, event.objectRef?.subresource].filter(Boolean).join('/');
        return { atMs: Date.parse(event.requestReceivedTimestamp), kind: `${event.verb} ${resource || '(no resource)'}` };
      });
  }

  /** Resource requests the API server has completed since it started; its own /metrics scrape is not one. */
  private async allClientRequests(): Promise<number> {
    const samples = parseExposition(await this.metrics());
    const all = sampleSum(samples, 'apiserver_request_total');
    return all - sampleSum(samples, 'apiserver_request_total', { resource: '' });
  }

  private metrics(): Promise<string> {
    const { server, caFile, token } = this.plane;
    return readFile(caFile).then(
      (ca) =>
        new Promise<string>((resolve, reject) => {
          const request = https.get(`${server}/metrics`, { ca, headers: { Authorization: `Bearer ${token}` } }, (response) => {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (body += chunk));
            response.on('end', () =>
              response.statusCode === 200 ? resolve(body) : reject(new Error(`the API server's /metrics answered ${response.statusCode}`)),
            );
          });
          request.once('error', reject);
        }),
    );
  }
}
