import { COMPONENT_RUN_STATES, heartbeatDetailsOf } from '../pipeline/heartbeat-details';
import type { PipelineSpec } from '../pipeline/pipeline-spec';
import type { FailureReason } from '../pipeline/pipeline-view';
import type { PipelineStatus } from '../pipeline/status-machine';

/** The last heartbeat of the pipeline's activity in flight, as describe reports it. */
export interface ActivityObservation {
  activity: string;
  details: unknown;
  at: string | null;
}

/** A component's state in health: what the orchestrator reports, or draining during a stop, or unknown without a report. */
export const HEALTH_STATES = [...COMPONENT_RUN_STATES, 'draining', 'unknown'] as const;
type HealthState = (typeof HEALTH_STATES)[number];

export interface ComponentHealth {
  name: string;
  desired_replicas: number;
  ready_replicas: number;
  state: HealthState;
  message: string | null;
  /** While a stop drains: messages this component has yet to finish. */
  unfinished_messages: number | null;
}

/**
 * What health says about each component, from the last heartbeat of the activity in flight
 * (readiness, watch or drain), or else from the status alone. Needs no worker.
 */
export function componentHealth(
  spec: PipelineSpec,
  status: PipelineStatus,
  failure: FailureReason | null,
  observation: ActivityObservation | undefined,
): ComponentHealth[] {
  const details = heartbeatDetailsOf(observation?.details);
  return spec.components.map((component) => {
    const base: ComponentHealth = {
      name: component.name,
      desired_replicas: component.replicas,
      ready_replicas: 0,
      state: 'unknown',
      message: null,
      unfinished_messages: null,
    };
    const observed =
      details && 'components' in details ? details.components.find((state) => state.component === component.name) : undefined;
    if (observed) return { ...base, ready_replicas: observed.ready_replicas, state: observed.state, message: observed.message ?? null };
    if (details && 'stopped' in details) {
      const stopped = details.stopped.includes(component.name);
      return { ...base, state: stopped ? 'stopped' : 'draining', unfinished_messages: details.unfinished?.[component.name] ?? null };
    }
    if (status === 'Stopped') return { ...base, state: 'stopped' };
    if (status === 'Failed' && failure?.component === component.name) return { ...base, state: 'failed', message: failure.error };
    return base;
  });
}
