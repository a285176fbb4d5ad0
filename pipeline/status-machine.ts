/**
 * The pipeline status machine: which command is accepted in which status, and
 * what each status becomes when its work completes. Pure, so it is shared by the
 * workflow, the API and the tests.
 */
export const PIPELINE_STATUSES = ['Created', 'Running', 'Stopping', 'Stopped', 'Terminating', 'Failed', 'Resuming', 'Deleting'] as const;
export type PipelineStatus = (typeof PIPELINE_STATUSES)[number];

/** The lifecycle commands: each is an update and a signal of the same name. */
export const COMMANDS = ['stop', 'terminate', 'resume', 'delete'] as const;
export type Command = (typeof COMMANDS)[number];

/**
 * Commands that change the spec: a whole new one (edit, rolling_edit) or one component's replica count (scale). They
 * carry a spec change, so they are updates only. A rolling edit (`PUT …?apply=rolling`) of a Running pipeline drains it
 * to Stopped, applies the edit and resumes it, through the existing statuses.
 */
export const SPEC_COMMANDS = ['edit', 'rolling_edit', 'scale'] as const;
export type SpecCommand = (typeof SPEC_COMMANDS)[number];

export const ACTIONS = [...COMMANDS, ...SPEC_COMMANDS] as const;
export type Action = Command | SpecCommand;

/**
 * What a command does in a status: move to another status, join the work already under way for it (a delete during
 * Deleting waits for the same removal), apply it where the pipeline stands (an edit of a Stopped pipeline changes its
 * spec, not its status), apply it to the running components at once, status unchanged (a live scale), change nothing
 * because it is already done or under way, or refuse.
 */
export type Decision =
  | { outcome: 'transition'; to: PipelineStatus }
  | { outcome: 'join' }
  | { outcome: 'apply' }
  | { outcome: 'live' }
  | { outcome: 'noop' }
  | { outcome: 'refuse' };

const transition = (to: PipelineStatus): Decision => ({ outcome: 'transition', to });
const JOIN: Decision = { outcome: 'join' };
const APPLY: Decision = { outcome: 'apply' };
const LIVE: Decision = { outcome: 'live' };
const NOOP: Decision = { outcome: 'noop' };
const REFUSE: Decision = { outcome: 'refuse' };

const COMMAND_TABLE: Record<Action, Record<PipelineStatus, Decision>> = {
  stop: {
    Created: REFUSE,
    Running: transition('Stopping'),
    Stopping: NOOP,
    Stopped: NOOP,
    Terminating: NOOP,
    Failed: REFUSE,
    Resuming: REFUSE,
    Deleting: REFUSE,
  },
  terminate: {
    Created: transition('Terminating'),
    Running: transition('Terminating'),
    Stopping: transition('Terminating'),
    Stopped: NOOP,
    Terminating: NOOP,
    Failed: transition('Terminating'),
    Resuming: transition('Terminating'),
    Deleting: REFUSE,
  },
  resume: {
    Created: REFUSE,
    Running: NOOP,
    Stopping: REFUSE,
    Stopped: transition('Resuming'),
    Terminating: REFUSE,
    Failed: REFUSE,
    Resuming: NOOP,
    Deleting: REFUSE,
  },
  delete: {
    Created: REFUSE,
    Running: REFUSE,
    Stopping: REFUSE,
    Stopped: transition('Deleting'),
    Terminating: REFUSE,
    Failed: REFUSE,
    Resuming: REFUSE,
    Deleting: JOIN,
  },
  // An edit takes effect on the next resume, so it is taken only where no component runs as the pipeline's spec says.
  edit: {
    Created: REFUSE,
    Running: REFUSE,
    Stopping: REFUSE,
    Stopped: APPLY,
    Terminating: REFUSE,
    Failed: APPLY,
    Resuming: REFUSE,
    Deleting: REFUSE,
  },
  // Running: the drain, the edit and the resume, one after the other. Stopped and Failed: a plain edit.
  rolling_edit: {
    Created: REFUSE,
    Running: transition('Stopping'),
    Stopping: REFUSE,
    Stopped: APPLY,
    Terminating: REFUSE,
    Failed: APPLY,
    Resuming: REFUSE,
    Deleting: REFUSE,
  },
  // A scale changes the running replicas while Running; where nothing runs as the spec says, it is an edit of replicas.
  scale: {
    Created: REFUSE,
    Running: LIVE,
    Stopping: REFUSE,
    Stopped: APPLY,
    Terminating: REFUSE,
    Failed: APPLY,
    Resuming: REFUSE,
    Deleting: REFUSE,
  },
};

export function decide(action: Action, status: PipelineStatus): Decision {
  return COMMAND_TABLE[action][status];
}

/** Commands that would do something in this status: no-ops and refusals excluded, joining and applying included. */
export function allowedActions(status: PipelineStatus): Action[] {
  return ACTIONS.filter((action) => {
    const { outcome } = decide(action, status);
    return outcome === 'transition' || outcome === 'join' || outcome === 'apply' || outcome === 'live';
  });
}

/** What a transient status becomes when its work completes; Deleting ends the pipeline itself. */
const COMPLETION: Partial<Record<PipelineStatus, PipelineStatus | 'gone'>> = {
  Created: 'Running',
  Resuming: 'Running',
  Stopping: 'Stopped',
  Terminating: 'Stopped',
  Deleting: 'gone',
};

export function completionOf(status: PipelineStatus): PipelineStatus | 'gone' | undefined {
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
