import {
  COMMANDS,
  PIPELINE_STATUSES,
  allowedActions,
  completionOf,
  decide,
  isValidTransition,
  type Command,
  type PipelineStatus,
} from '../../pipeline/status-machine';

/** The command table of the design, cell by cell: a status name means "204 → that status". */
const EXPECTED: Record<Command, Record<PipelineStatus, string>> = {
  stop: {
    Created: '409',
    Running: 'Stopping',
    Stopping: 'noop',
    Stopped: 'noop',
    Terminating: 'noop',
    Failed: '409',
    Resuming: '409',
    Deleting: '409',
  },
  terminate: {
    Created: 'Terminating',
    Running: 'Terminating',
    Stopping: 'Terminating',
    Stopped: 'noop',
    Terminating: 'noop',
    Failed: 'Terminating',
    Resuming: 'Terminating',
    Deleting: '409',
  },
  resume: {
    Created: '409',
    Running: 'noop',
    Stopping: '409',
    Stopped: 'Resuming',
    Terminating: '409',
    Failed: '409',
    Resuming: 'noop',
    Deleting: '409',
  },
  delete: {
    Created: '409',
    Running: '409',
    Stopping: '409',
    Stopped: 'Deleting',
    Terminating: '409',
    Failed: '409',
    Resuming: '409',
    Deleting: 'join',
  },
};

function describeDecision(command: Command, status: PipelineStatus): string {
  const decision = decide(command, status);
  switch (decision.outcome) {
    case 'transition':
      return decision.to;
    case 'refuse':
      return '409';
    default:
      return decision.outcome;
  }
}

describe('command table', () => {
  const cells = COMMANDS.flatMap((command) => PIPELINE_STATUSES.map((status) => [command, status] as const));
  test.each(cells)('%s in %s', (command, status) => {
    expect(describeDecision(command, status)).toBe(EXPECTED[command][status]);
  });

  test('covers all 32 cells', () => {
    expect(cells).toHaveLength(32);
  });
});

describe('edit', () => {
  test.each(PIPELINE_STATUSES.map((status) => [status]))('in %s', (status) => {
    const expected = status === 'Stopped' || status === 'Failed' ? 'apply' : 'refuse';
    expect(decide('edit', status).outcome).toBe(expected);
  });

  test('never changes the status, so no transition of the diagram is an edit', () => {
    for (const status of PIPELINE_STATUSES) expect(decide('edit', status)).not.toHaveProperty('to');
  });
});

describe('rolling_edit', () => {
  test.each(PIPELINE_STATUSES.map((status) => [status]))('in %s', (status) => {
    const expected =
      status === 'Running'
        ? { outcome: 'transition', to: 'Stopping' }
        : { outcome: status === 'Stopped' || status === 'Failed' ? 'apply' : 'refuse' };
    expect(decide('rolling_edit', status)).toEqual(expected);
  });

  test("starts down the stop's own edge: a rolling edit adds no transition to the diagram", () => {
    expect(isValidTransition('Running', 'Stopping')).toBe(true);
    expect(decide('stop', 'Running')).toEqual(decide('rolling_edit', 'Running'));
  });
});

describe('scale', () => {
  test.each(PIPELINE_STATUSES.map((status) => [status]))('in %s', (status) => {
    const expected = status === 'Running' ? 'live' : status === 'Stopped' || status === 'Failed' ? 'apply' : 'refuse';
    expect(decide('scale', status).outcome).toBe(expected);
  });

  test('never changes the status', () => {
    for (const status of PIPELINE_STATUSES) expect(decide('scale', status)).not.toHaveProperty('to');
  });
});

describe('allowedActions', () => {
  test.each([
    ['Created', ['terminate']],
    ['Running', ['stop', 'terminate', 'rolling_edit', 'scale']],
    ['Stopping', ['terminate']],
    ['Stopped', ['resume', 'delete', 'edit', 'rolling_edit', 'scale']],
    ['Terminating', []],
    ['Failed', ['terminate', 'edit', 'rolling_edit', 'scale']],
    ['Resuming', ['terminate']],
    ['Deleting', ['delete']],
  ] as const)('%s allows %j', (status, actions) => {
    expect(allowedActions(status)).toEqual(actions);
  });
});

describe('completion of transient statuses', () => {
  test.each([
    ['Created', 'Running'],
    ['Resuming', 'Running'],
    ['Stopping', 'Stopped'],
    ['Terminating', 'Stopped'],
    ['Deleting', 'gone'],
    ['Running', undefined],
    ['Stopped', undefined],
    ['Failed', undefined],
  ] as const)('%s completes to %s', (status, next) => {
    expect(completionOf(status)).toBe(next);
  });
});

describe('isValidTransition', () => {
  test('accepts every edge of the design diagram and nothing else', () => {
    const edges = new Set([
      'Created>Running',
      'Running>Stopping',
      'Stopping>Stopped',
      'Running>Terminating',
      'Stopping>Terminating',
      'Created>Terminating',
      'Resuming>Terminating',
      'Failed>Terminating',
      'Terminating>Stopped',
      'Stopped>Resuming',
      'Resuming>Running',
      'Stopped>Deleting',
      ...PIPELINE_STATUSES.map((from) => `${from}>Failed`),
    ]);
    for (const from of PIPELINE_STATUSES) {
      for (const to of PIPELINE_STATUSES) {
        expect([`${from}>${to}`, isValidTransition(from, to)]).toEqual([`${from}>${to}`, edges.has(`${from}>${to}`)]);
      }
    }
  });
});
