import { temporal } from '@temporalio/proto';
import { historyNews } from '../../api/history-news';
import { deletionStay, staysEndedBy } from '../../api/transient-durations';
import { PipelineLedger, type TransitionCause } from '../../pipeline/pipeline-ledger';
import type { PipelineSpec } from '../../pipeline/pipeline-spec';

const spec: PipelineSpec = {
  pipeline_id: 'orders-etl',
  name: 'Orders ETL',
  components: [{ name: 'ingestor', image: 'busybox:latest', replicas: 1 }],
};
const byWorkflow = (reason: string): TransitionCause => ({ command: null, source: 'workflow', request_id: null, reason });
const byApi = (command: TransitionCause['command']): TransitionCause => ({
  command,
  source: 'api',
  request_id: 'r',
  reason: `${command} requested`,
});
const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

/** Created at 0 s, Running at 2, Stopping at 5, Stopped at 6, Resuming at 10, a refused signal at 11, Running at 13. */
function lifecycle(): PipelineLedger {
  const ledger = PipelineLedger.create(spec, at(0));
  ledger.transition('Running', byWorkflow('deploy completed'), at(2));
  ledger.transition('Stopping', byApi('stop'), at(5));
  ledger.transition('Stopped', byWorkflow('stop completed'), at(6));
  ledger.transition('Resuming', byApi('resume'), at(10));
  ledger.recordRefusal(
    { command: 'delete', source: 'signal', request_id: null, reason: 'cannot delete a pipeline that is Resuming' },
    at(11),
  );
  ledger.transition('Running', byWorkflow('resume completed'), at(13));
  return ledger;
}

describe('stays in transient statuses', () => {
  test('each stay runs from the record that entered the status to the one that left it; creation enters Created', () => {
    expect(staysEndedBy(lifecycle().view(), 0)).toEqual([
      { status: 'Created', next: 'Running', seconds: 2 },
      { status: 'Stopping', next: 'Stopped', seconds: 1 },
      { status: 'Resuming', next: 'Running', seconds: 3 },
    ]);
  });

  test('only the stays that records after the given sequence number end, however long ago they began', () => {
    // Record 5 is Stopped → Resuming: a stay that ends at record 7 began at record 5.
    expect(staysEndedBy(lifecycle().view(), 5)).toEqual([{ status: 'Resuming', next: 'Running', seconds: 3 }]);
    expect(staysEndedBy(lifecycle().view(), 7)).toEqual([]);
  });

  test('a stay whose start the kept history no longer holds is left out', () => {
    const view = lifecycle().view();
    const trimmed = { ...view, transitions: view.transitions.filter((record) => record.seq >= 3) };
    expect(staysEndedBy(trimmed, 0)).toEqual([{ status: 'Resuming', next: 'Running', seconds: 3 }]);
  });

  test('Deleting lasts until the workflow ends', () => {
    const ledger = lifecycle();
    ledger.transition('Terminating', byApi('terminate'), at(20));
    ledger.transition('Stopped', byWorkflow('terminate completed'), at(21));
    ledger.transition('Deleting', byApi('delete'), at(30));
    expect(deletionStay(ledger.view(), new Date(at(34)))).toEqual({ status: 'Deleting', next: 'gone', seconds: 4 });
    expect(deletionStay(lifecycle().view(), new Date(at(34)))).toBeUndefined();
  });
});

describe('news in a page of workflow history', () => {
  const EventType = temporal.api.enums.v1.EventType;
  const event = (eventType: temporal.api.enums.v1.EventType, extra: object = {}) => ({ eventType, ...extra });

  test('a search attribute upsert means a new ledger record; activity events alone do not', () => {
    expect(
      historyNews([event(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), event(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)], false),
    ).toEqual({
      ledgerMayHaveChanged: false,
      signalPending: false,
    });
    expect(historyNews([event(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)], false).ledgerMayHaveChanged).toBe(true);
  });

  test('a signal is news once the workflow task after it completes, even in a later page', () => {
    const signalled = historyNews(
      [event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), event(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)],
      false,
    );
    expect(signalled).toEqual({ ledgerMayHaveChanged: false, signalPending: true });
    expect(historyNews([event(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)], signalled.signalPending)).toEqual({
      ledgerMayHaveChanged: true,
      signalPending: false,
    });
  });

  test('continue-as-new names the next run; completion ends the pipeline at its time', () => {
    const next = historyNews(
      [
        event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW, {
          workflowExecutionContinuedAsNewEventAttributes: { newExecutionRunId: 'run-2' },
        }),
      ],
      false,
    );
    expect(next.continuedAsNew).toBe('run-2');
    expect(next.endedAt).toBeUndefined();
    const ended = historyNews(
      [event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, { eventTime: { seconds: 1767225600, nanos: 250_000_000 } })],
      false,
    );
    expect(ended.endedAt?.toISOString()).toBe('2026-01-01T00:00:00.250Z');
  });
});
