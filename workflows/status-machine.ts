/**
 * The pipeline status machine: which command is accepted in which status, and
 * what each status becomes when its work completes. Pure, so it is shared by the
 * workflow, the API and the tests.
 */
export const PIPELINE_STATUSES = ['Created', 'Running', 'Stopping', 'Stopped', 'Terminating', 'Failed', 'Resuming'] as const;
export type PipelineStatus = (typeof PIPELINE_STATUSES)[number];

export const COMMANDS = ['stop', 'terminate', 'resume', 'delete'] as const;
export type Command = (typeof COMMANDS)[number];

export type Decision =
  | { outcome: 'transition'; to: PipelineStatus }
  | { outcome: 'delete' }
  | { outcome: 'noop' }
  | { outcome: 'refuse' };

const transition = (to: PipelineStatus): Decision => ({ outcome: 'transition', to });
const NOOP: Decision = { outcome: 'noop' };
const REFUSE: Decision = { outcome: 'refuse' };

const COMMAND_TABLE: Record<Command, Record<PipelineStatus, Decision>> = {
  stop: {
    Created: REFUSE,
    Running: transition('Stopping'),
    Stopping: NOOP,
    Stopped: NOOP,
    Terminating: NOOP,
    Failed: REFUSE,
    Resuming: REFUSE,
  },
  terminate: {
    Created: transition('Terminating'),
    Running: transition('Terminating'),
    Stopping: transition('Terminating'),
    Stopped: NOOP,
    Terminating: NOOP,
    Failed: transition('Terminating'),
    Resuming: transition('Terminating'),
  },
  resume: {
    Created: REFUSE,
    Running: NOOP,
    Stopping: REFUSE,
    Stopped: transition('Resuming'),
    Terminating: REFUSE,
    Failed: REFUSE,
    Resuming: NOOP,
  },
  delete: {
    Created: REFUSE,
    Running: REFUSE,
    Stopping: REFUSE,
    Stopped: { outcome: 'delete' },
    Terminating: REFUSE,
    Failed: REFUSE,
    Resuming: REFUSE,
  },
};

export function decide(command: Command, status: PipelineStatus): Decision {
  return COMMAND_TABLE[command][status];
}

/** Commands that would change something in this status (no-ops and refusals excluded). */
export function allowedActions(status: PipelineStatus): Command[] {
  return COMMANDS.filter((command) => {
    const { outcome } = decide(command, status);
    return outcome === 'transition' || outcome === 'delete';
  });
}

/** The status a pipeline reaches when the work of a transient status completes. */
const COMPLETION: Partial<Record<PipelineStatus, PipelineStatus>> = {
  Created: 'Running',
  Resuming: 'Running',
  Stopping: 'Stopped',
  Terminating: 'Stopped',
};

export function completionOf(status: PipelineStatus): PipelineStatus | undefined {
  return COMPLETION[status];
}

export function isPipelineStatus(value: unknown): value is PipelineStatus {
  return typeof value === 'string' && (PIPELINE_STATUSES as readonly string[]).includes(value);
}

/** Whether `from → to` is an edge of the status diagram in the design. */
export function isValidTransition(from: PipelineStatus, to: PipelineStatus): boolean {
  if (to === 'Failed') return true;
  if (completionOf(from) === to) return true;
  return COMMANDS.some((command) => {
    const decision = decide(command, from);
    return decision.outcome === 'transition' && decision.to === to;
  });
}

/** Statuses with no transition of their own under way: Running, Stopped and Failed. */
export function isSettled(status: PipelineStatus): boolean {
  return completionOf(status) === undefined;
}
