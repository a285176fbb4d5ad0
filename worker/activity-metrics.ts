import { ApplicationFailure, CancelledFailure, type Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import type { ActivityFailureDetails } from '../pipeline/activity-failure-details';

/** How an activity attempt ended. */
type ActivityOutcome = 'completed' | 'failed' | 'cancelled';

/** Weir's own metrics of a worker: the outcome of every activity attempt, and component failures by reason. */
export class ActivityMetrics {
  readonly registry = new Registry();
  private readonly outcomes = new Counter({
    name: 'weir_activity_outcomes_total',
    help: 'Activity attempts this worker ran, by activity and outcome',
    labelNames: ['activity', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly componentFailures = new Counter({
    name: 'weir_component_failures_total',
    help: 'Failures an activity attempt blamed on a component, by reason (the failure type) and activity',
    labelNames: ['reason', 'activity'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The interceptor that counts every activity attempt of the worker it is given to. */
  readonly interceptor: ActivityInterceptorsFactory = (context) => ({
    inbound: {
      execute: async (input, next) => {
        const activity = context.info.activityType;
        try {
          const result = await next(input);
          this.outcomes.inc({ activity, outcome: 'completed' });
          return result;
        } catch (error) {
          this.outcomes.inc({ activity, outcome: outcomeOf(error, context) });
          const reason = componentFailureReason(error);
          if (reason) this.componentFailures.inc({ reason, activity });
          throw error;
        }
      },
    },
  });
}

function outcomeOf(error: unknown, context: Context): ActivityOutcome {
  return error instanceof CancelledFailure || context.cancellationSignal.aborted ? 'cancelled' : 'failed';
}

/** The failure type, such as ComponentExited, when the activity's failure names a component. */
function componentFailureReason(error: unknown): string | undefined {
  if (!(error instanceof ApplicationFailure)) return undefined;
  const details = error.details?.[0] as ActivityFailureDetails | undefined;
  return details?.component ? (error.type ?? 'Error') : undefined;
}
