import fc from 'fast-check';
import { PipelineLedger, TRANSITION_HISTORY_LIMIT, type TransitionCause } from '../../pipeline/pipeline-ledger';
import type { PipelineSpec } from '../../pipeline/pipeline-spec';

const spec: PipelineSpec = {
  pipeline_id: 'orders-etl',
  name: 'Orders ETL',
  components: [{ name: 'ingestor', image: 'busybox:latest', replicas: 1 }],
};
const byApi = (command: TransitionCause['command'], requestId: string): TransitionCause => ({
  command,
  source: 'api',
  request_id: requestId,
  reason: `${command} requested`,
});

describe('PipelineLedger', () => {
  test('starts Created with both times equal', () => {
    const view = PipelineLedger.create(spec, '2026-01-01T00:00:00.000Z').view();
    expect(view).toMatchObject({
      pipeline_id: 'orders-etl',
      pipeline_name: 'Orders ETL',
      overall_status: 'Created',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      failure: null,
      transitions: [],
    });
  });

  test('records each transition with its cause and moves updated_at', () => {
    const ledger = PipelineLedger.create(spec, 't0');
    ledger.transition('Running', { command: null, source: 'workflow', request_id: null, reason: 'deploy completed' }, 't1');
    ledger.transition('Stopping', byApi('stop', 'req-1'), 't2');
    const view = ledger.view();
    expect(view.overall_status).toBe('Stopping');
    expect(view.updated_at).toBe('t2');
    expect(view.created_at).toBe('t0');
    expect(view.transitions).toEqual([
      {
        seq: 1,
        at: 't1',
        from: 'Created',
        to: 'Running',
        command: null,
        source: 'workflow',
        request_id: null,
        reason: 'deploy completed',
        outcome: 'applied',
      },
      {
        seq: 2,
        at: 't2',
        from: 'Running',
        to: 'Stopping',
        command: 'stop',
        source: 'api',
        request_id: 'req-1',
        reason: 'stop requested',
        outcome: 'applied',
      },
    ]);
  });

  test('keeps the failure only while Failed', () => {
    const ledger = PipelineLedger.create(spec, 't0');
    const failure = { operation: 'deploy', component: 'ingestor', error: 'boom', attempts: 5, at: 't1' };
    ledger.transition('Failed', { command: null, source: 'workflow', request_id: null, reason: 'deploy failed: boom' }, 't1', failure);
    expect(ledger.view().failure).toEqual(failure);
    ledger.transition('Terminating', byApi('terminate', 'req-2'), 't2');
    expect(ledger.view().failure).toBeNull();
  });

  test('a refusal is recorded without changing the status', () => {
    const ledger = PipelineLedger.create(spec, 't0');
    ledger.recordRefusal(
      { command: 'resume', source: 'signal', request_id: null, reason: 'cannot resume a pipeline that is Created' },
      't1',
    );
    expect(ledger.status).toBe('Created');
    expect(ledger.view().updated_at).toBe('t0');
    expect(ledger.view().transitions[0]).toMatchObject({ from: 'Created', to: 'Created', outcome: 'refused' });
  });

  test('history stays bounded and keeps the newest records', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: TRANSITION_HISTORY_LIMIT * 3 }), (count) => {
        const ledger = PipelineLedger.create(spec, 't0');
        for (let i = 0; i < count; i += 1)
          ledger.recordRefusal({ command: 'stop', source: 'signal', request_id: `r${i}`, reason: 'x' }, `t${i}`);
        const transitions = ledger.view().transitions;
        expect(transitions).toHaveLength(Math.min(count, TRANSITION_HISTORY_LIMIT));
        if (count > 0) expect(transitions[transitions.length - 1].request_id).toBe(`r${count - 1}`);
        // Sequence numbers count every record ever made, not the ones kept.
        expect(transitions.map((record) => record.seq)).toEqual(
          Array.from({ length: transitions.length }, (_, index) => count - transitions.length + index + 1),
        );
      }),
      { numRuns: 30 },
    );
  });

  test('a snapshot restores the same view and is not aliased', () => {
    const ledger = PipelineLedger.create(spec, 't0');
    ledger.transition('Running', { command: null, source: 'workflow', request_id: null, reason: 'deploy completed' }, 't1');
    const snapshot = ledger.snapshot();
    const restored = PipelineLedger.restore(spec, snapshot);
    ledger.transition('Stopping', byApi('stop', 'r'), 't2');
    expect(restored.view().overall_status).toBe('Running');
    expect(restored.view().transitions).toHaveLength(1);
  });

  test('sequence numbers go on across a snapshot, as across continue-as-new', () => {
    const ledger = PipelineLedger.create(spec, 't0');
    ledger.transition('Running', { command: null, source: 'workflow', request_id: null, reason: 'deploy completed' }, 't1');
    const restored = PipelineLedger.restore(spec, ledger.snapshot());
    restored.transition('Stopping', byApi('stop', 'r'), 't2');
    expect(restored.view().transitions.map((record) => record.seq)).toEqual([1, 2]);
  });

  test('records handed on by a run from before sequence numbers are numbered in order, and numbering goes on from them', () => {
    const legacy = PipelineLedger.create(spec, 't0');
    legacy.transition('Running', { command: null, source: 'workflow', request_id: null, reason: 'deploy completed' }, 't1');
    legacy.transition('Stopping', byApi('stop', 'r'), 't2');
    const { transitions, ...rest } = legacy.snapshot();
    const restored = PipelineLedger.restore(spec, { ...rest, transitions: transitions.map(({ seq: _, ...record }) => record) });
    restored.transition('Stopped', { command: null, source: 'workflow', request_id: null, reason: 'stop completed' }, 't3');
    expect(restored.view().transitions.map((record) => [record.seq, record.to])).toEqual([
      [1, 'Running'],
      [2, 'Stopping'],
      [3, 'Stopped'],
    ]);
  });
});

describe('a rolling edit in the ledger', () => {
  const edited: PipelineSpec = { ...spec, components: [{ ...spec.components[0], env: { MODE: 'two' } }] };
  const byWorkflow = (reason: string): TransitionCause => ({ command: null, source: 'workflow', request_id: null, reason });

  function rollingFromRunning(): PipelineLedger {
    const ledger = PipelineLedger.create(spec, 't0');
    ledger.transition('Running', byWorkflow('deploy completed'), 't1');
    expect(ledger.planRollingEdit(edited, 'r1')).toEqual({ spec: edited, revision: 2, request_id: 'r1' });
    ledger.transition('Stopping', byApi('rolling_edit', 'r1'), 't2');
    return ledger;
  }

  test('marks every record with its revision until Running again, then drops the plan', () => {
    const ledger = rollingFromRunning();
    ledger.transition('Stopped', byWorkflow('drain completed'), 't3');
    const revision = ledger.applyRollingEdit(
      { command: 'rolling_edit', source: 'workflow', request_id: null, reason: 'rolling edit' },
      't4',
    );
    expect([revision.revision, revision.request_id, ledger.spec]).toEqual([2, 'r1', edited]);
    expect(ledger.statusMemo().rolling_edit).toBe(2);
    ledger.transition('Resuming', byWorkflow('edit applied'), 't5');
    ledger.transition('Running', byWorkflow('resume completed'), 't6');
    expect(ledger.rollingEdit).toBeUndefined();
    expect(ledger.statusMemo().rolling_edit).toBeNull();
    expect(ledger.view().transitions.map(({ to, rolling_edit }) => [to, rolling_edit])).toEqual([
      ['Running', undefined],
      ['Stopping', 2],
      ['Stopped', 2],
      ['Stopped', 2],
      ['Resuming', 2],
      ['Running', 2],
    ]);
    ledger.transition('Stopping', byApi('stop', 's'), 't7');
    expect(ledger.view().transitions.at(-1)).not.toHaveProperty('rolling_edit');
  });

  test.each(['Terminating', 'Failed'] as const)('ends when the pipeline goes %s: no later step runs', (to) => {
    const ledger = rollingFromRunning();
    ledger.transition(to, byApi('terminate', 't'), 't3');
    expect(ledger.rollingEdit).toBeUndefined();
    expect(ledger.view().transitions.at(-1)?.rolling_edit).toBe(2);
    expect(() => ledger.applyRollingEdit(byWorkflow('x'), 't4')).toThrow('no rolling edit is under way');
  });

  test('travels in the snapshot, as across continue-as-new, and a request that started one counts as applied', () => {
    const restored = PipelineLedger.restore(spec, rollingFromRunning().snapshot());
    expect(restored.rollingEdit).toEqual({ spec: edited, revision: 2, request_id: 'r1' });
    expect(restored.hasApplied('rolling_edit', 'r1')).toBe(true);
    expect(PipelineLedger.create(spec, 't0').snapshot()).not.toHaveProperty('rolling_edit');
  });
});
