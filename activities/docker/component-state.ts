import type { ContainerInspectInfo } from 'dockerode';
import type { ComponentRunState, ComponentState } from '../../pipeline/heartbeat-details';

/** One replica as Docker reports it; undefined when its container does not exist. */
export type Replica = ContainerInspectInfo | undefined;

type ReplicaPhase = 'ready' | 'coming-up' | 'stopped' | 'failed' | 'missing';

/** Exit codes of a process ended by SIGTERM (128+15) or SIGKILL (128+9): how Weir itself stops components. */
const STOP_SIGNAL_EXIT_CODES = new Set([143, 137]);

export function hasExited(replica: Replica): replica is ContainerInspectInfo {
  return replica?.State.Status === 'exited' || replica?.State.Status === 'dead';
}

/**
 * Sums up the replicas of a component, first matching rule wins:
 * - missing: no replica has a container;
 * - failed: a replica was OOM-killed, is dead, or exited with a code other than 0, 137 or 143;
 * - running: every replica runs, is healthy when its image defines a healthcheck, and has run for `minReadyMs`;
 * - stopped: none is running (each exited with 0, was stopped by SIGTERM/SIGKILL, was never started or is missing);
 * - starting: anything in between, such as a replica that is not healthy yet or only some replicas running.
 * The message describes the first replica that is not ready.
 */
export function componentState(component: string, replicas: Replica[], minReadyMs: number, now = Date.now()): ComponentState {
  const phases = replicas.map((replica) => phaseOf(replica, minReadyMs, now));
  const readyReplicas = phases.filter((phase) => phase === 'ready').length;
  const state = runState(phases, readyReplicas === replicas.length);
  const explained = state === 'failed' ? phases.indexOf('failed') : phases.findIndex((phase) => phase !== 'ready');
  return {
    component,
    desired_replicas: replicas.length,
    ready_replicas: readyReplicas,
    state,
    ...(explained === -1 ? {} : { message: describe(explained, replicas[explained], minReadyMs) }),
  };
}

/**
 * How long until the next replica that waits only for `minReadyMs` to pass becomes ready; undefined when none does.
 * No Docker event marks that moment, so a wait for readiness sets a timer for it.
 */
export function msUntilMinReady(replicas: Replica[], minReadyMs: number, now = Date.now()): number | undefined {
  const waits = replicas.flatMap((replica) =>
    replica && runsHealthy(replica) && !hasRunFor(replica, minReadyMs, now) ? [minReadyMs - uptimeMs(replica, now)] : [],
  );
  return waits.length > 0 ? Math.max(0, Math.min(...waits)) : undefined;
}

function runState(phases: ReplicaPhase[], allReady: boolean): ComponentRunState {
  if (phases.every((phase) => phase === 'missing')) return 'missing';
  if (phases.includes('failed')) return 'failed';
  if (allReady) return 'running';
  if (phases.every((phase) => phase === 'stopped' || phase === 'missing')) return 'stopped';
  return 'starting';
}

function phaseOf(replica: Replica, minReadyMs: number, now: number): ReplicaPhase {
  if (!replica) return 'missing';
  const { State } = replica;
  if (State.OOMKilled || State.Status === 'dead') return 'failed';
  if (State.Status === 'exited') return State.ExitCode === 0 || STOP_SIGNAL_EXIT_CODES.has(State.ExitCode) ? 'stopped' : 'failed';
  if (State.Status === 'created') return 'stopped';
  return runsHealthy(replica) && hasRunFor(replica, minReadyMs, now) ? 'ready' : 'coming-up';
}

// State.Status rather than State.Running, which is also true for a paused container.
function runsHealthy({ State }: ContainerInspectInfo): boolean {
  return State.Status === 'running' && (State.Health === undefined || State.Health.Status === 'healthy');
}

function hasRunFor(replica: ContainerInspectInfo, minReadyMs: number, now: number): boolean {
  return minReadyMs === 0 || uptimeMs(replica, now) >= minReadyMs;
}

function uptimeMs({ State }: ContainerInspectInfo, now: number): number {
  return now - Date.parse(State.StartedAt);
}

function describe(index: number, replica: Replica, minReadyMs: number): string {
  if (!replica) return `replica ${index} has no container`;
  const { State } = replica;
  if (State.OOMKilled) return `replica ${index} ran out of memory and was killed`;
  if (hasExited(replica)) return `replica ${index} exited with code ${State.ExitCode}`;
  if (State.Status !== 'running') return `replica ${index} is ${State.Status}`;
  if (runsHealthy(replica)) return `replica ${index} has run for less than min_ready_seconds (${minReadyMs / 1000} s)`;
  return `replica ${index} is ${State.Health?.Status ?? 'starting'}`;
}
