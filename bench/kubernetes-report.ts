import os from 'node:os';
import { deliveryRow, pluck, row } from './data-plane-report';
import type { KubernetesResults } from './kubernetes';
import type { PhaseRequests } from './kubernetes-api-requests';
import type { ScalePair } from './kubernetes-kwok-scale';
import { KWOK_PIPELINE, type KubernetesParameters } from './kubernetes-parameters';
import type { BenchParameters } from './parameters';
import { median } from './stats';
import { alignColumns, indent, ms, ratio, seconds } from './table-format';

/** The phases whose requests make one pipeline's lifecycle; terminate is the alternative to stop before a delete. */
const LIFECYCLE_PHASES = ['create -> Running', 'stop', 'resume', 'delete'];
const IDLE_PHASE = 'at rest, per idle window';

export function kubernetesSection(
  { kwok, realNode, loadAverage }: KubernetesResults,
  parameters: BenchParameters,
  k8s: KubernetesParameters,
): string[] {
  const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
  const components = KWOK_PIPELINE.map((component) => component.name).join(' and ');
  return [
    `k. Kubernetes, kwok's node: ${kwok.pipelines} pipelines of 2 components (${components}: busybox, 1 replica, no stream)`,
    ...indent(
      alignColumns(
        [
          ['layout', 'the worker in a process of its own, as service account weir-worker; the API and the load generator in this one'],
          [
            'load average',
            `${loadAverage.start.toFixed(1)} as the section started, ${loadAverage.end.toFixed(1)} as it ended (1 minute, ${os.cpus().length} cores)`,
          ],
          [
            'first create -> all Running',
            `${seconds(kwok.allRunningMs)} (the API had accepted every create after ${seconds(kwok.createsAcceptedMs)})`,
          ],
          [
            `worker, all Running, at rest`,
            `RSS ${mb(kwok.worker.rssBytes)} (peak ${mb(kwok.worker.peakRssBytes)}), CPU ${(kwok.worker.cpu * 100).toFixed(1)}% of a core over ${k8s.idleWindowMs / 1000} s`,
          ],
        ],
        'left',
      ),
    ),
    ...indent(
      alignColumns([
        ['', 'Weir', 'direct client-node', 'Weir / direct', 'pair ratios'],
        pairRow('stop -> Stopped', kwok.stops),
        pairRow('resume -> Running', kwok.resumes),
        ['pod status patched -> health Failed', ms(median(kwok.failureDetectionMs)), '', '', kwok.failureDetectionMs.map(ms).join(', ')],
      ]),
    ),
    ...indent(requestLines(kwok.requests, kwok.pipelines)),
    ...indent([
      `- stop and resume: medians of ${kwok.stops.length} pipelines of the Running population, one after another: Weir's stop, then the`,
      "  direct scale up and down of the same Deployments while Weir has them Stopped, then Weir's resume. Weir: from the request",
      `  until health (polled every ${parameters.statusPollMs} ms) shows the status. Direct: a merge patch of the replicas, then lists polled every`,
      `  ${parameters.statusPollMs} ms until what the orchestrator waits for holds: up = available and every pod Ready; down = the controller has`,
      '  seen the new generation and no pod is left.',
      `- failure: a status-subresource patch of the ${KWOK_PIPELINE[1].name} pod (restartCount 1, last exit code 1), timed from sending it until`,
      '  health first shows Failed.',
      '- requests: create is counted over the whole population, the other steps over the stop and resume samples, one at a',
      '  time; the rest of the population goes with the control plane.',
      "  Weir's from the API server's audit log (every request of the weir-worker service account, once, as received);",
      "  all clients' from apiserver_request_total: the controllers, the scheduler, kwok and the real node's kubelet too,",
      '  counted as they complete (a watch when it ends).',
    ]),
    '',
    `k2. Kubernetes, real node (kubelet on containerd): source -> transform -> file sink of weir/reference-component:dev, host network`,
    ...indent(
      alignColumns([
        ['', 'median', 'max', 'each run'],
        row('create -> Running', realNode.createToRunningMs, ms),
        ...realNode.drains.flatMap(({ held, samples }) => [
          row(`stop -> Stopped, ${parameters.drainMessages} held before the ${held}`, pluck(samples, 'stopToStoppedMs'), ms),
          row('   pending + unacked at the stop', pluck(samples, 'pendingAtStop'), String),
          deliveryRow(pluck(samples, 'delivery')),
        ]),
      ]),
    ),
    ...indent([
      "- the sink writes to a folder of this machine bound as the pipeline's claim; held: that consumer paused from its",
      '  provisioning until just before the stop, as in g.',
    ]),
  ];
}

function pairRow(name: string, pairs: ScalePair[]): string[] {
  const weirMs = median(pairs.map((pair) => pair.weirMs));
  const directMs = median(pairs.map((pair) => pair.directMs));
  const ratios = pairs.map((pair) => pair.weirMs / pair.directMs);
  return [name, ms(weirMs), ms(directMs), ratio(weirMs, directMs), `${ratio(Math.min(...ratios), 1)} - ${ratio(Math.max(...ratios), 1)}`];
}

/** Requests per pipeline for each step, the lifecycle's sum, the rate at rest, and what Weir's requests were. */
function requestLines(phases: PhaseRequests[], pipelines: number): string[] {
  const perTime = (phase: PhaseRequests, value: number) => (value / phase.times).toFixed(1);
  const steps = phases.filter((phase) => phase.phase !== IDLE_PHASE);
  const lifecycle = steps.filter((phase) => LIFECYCLE_PHASES.includes(phase.phase));
  const sum = (pick: (phase: PhaseRequests) => number) =>
    lifecycle.reduce((total, phase) => total + pick(phase) / phase.times, 0).toFixed(1);
  const idle = phases.find((phase) => phase.phase === IDLE_PHASE);
  const perMinute = (value: number) => (idle ? ((value / idle.durationMs) * 60_000).toFixed(1) : 'n/a');
  const kinds = (phase: PhaseRequests) =>
    [...phase.weirByKind]
      .sort((a, b) => b[1] - a[1])
      .map(([kind, number]) => `${perTime(phase, number)} ${kind}`)
      .join(', ');
  return [
    ...alignColumns([
      ['Kubernetes API requests per pipeline', 'Weir', 'all clients', 'counted over'],
      ...steps.map((phase) => [phase.phase, perTime(phase, phase.weir), perTime(phase, phase.allClients), `${phase.times} pipelines`]),
      [`lifecycle: ${LIFECYCLE_PHASES.join(', ')}`, sum((phase) => phase.weir), sum((phase) => phase.allClients), ''],
      [
        `at rest, ${pipelines} Running, per minute`,
        perMinute(idle?.weir ?? 0),
        perMinute(idle?.allClients ?? 0),
        idle ? seconds(idle.durationMs) : '',
      ],
    ]),
    "Weir's requests per pipeline, by kind:",
    ...steps.map((phase) => `  ${phase.phase}: ${kinds(phase)}`),
  ];
}
