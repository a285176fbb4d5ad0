import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { workflowBundle } from '../../harness/workflow-bundle';

/** One folder per workflow version; every version's runs may still be out there and must replay. */
const HISTORIES = path.join(__dirname, '..', 'histories');
const FIRST_SCENARIOS = [
  'continue-as-new.json',
  'failure-then-terminate.json',
  'lifecycle.json',
  'signals.json',
  'terminate-during-stop.json',
];
const versions = readdirSync(HISTORIES).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
const scenariosOf = (version: string) => readdirSync(path.join(HISTORIES, version)).sort();
const files = versions.flatMap((version) => scenariosOf(version).map((file) => path.join(version, file)));

// A version records every kind of run the one before it did; a newer one may add kinds, such as edits.
test.each(versions.map((version, index) => [version, index === 0 ? FIRST_SCENARIOS : scenariosOf(versions[index - 1])]))(
  'recorded histories of %s cover every kind of pipeline run recorded before',
  (version, earlier) => {
    expect(scenariosOf(version)).toEqual(expect.arrayContaining(earlier));
  },
);

interface RecordedEvent {
  activityTaskScheduledEventAttributes?: { activityType: { name: string } };
  workflowExecutionUpdateAcceptedEventAttributes?: {
    acceptedRequest: { input: { name: string; args: { payloads: Array<{ data: string }> } } };
  };
}

/** The arguments of the accepted updates of one name in a recorded history. */
function acceptedUpdates(file: string, name: string): Array<Record<string, unknown>> {
  const { events } = JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')) as { events: RecordedEvent[] };
  return events
    .map((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest.input)
    .filter((input) => input?.name === name)
    .map((input) => JSON.parse(Buffer.from(input?.args.payloads[0].data ?? '', 'base64').toString('utf8')) as Record<string, unknown>);
}

test('the newest version holds commands that waited to settle: a stop that terminate ended, and a resume', () => {
  const newest = versions[versions.length - 1];
  const waits = (name: string) =>
    acceptedUpdates(path.join(newest, 'settled-commands.json'), name).map((request) => request.settle_within_ms);
  expect([waits('stop'), waits('resume')]).toEqual([[30_000], [30_000]]);
});

test('the newest version holds a history with an edit and a rollback', () => {
  const edits = acceptedUpdates(path.join(versions[versions.length - 1], 'edit.json'), 'edit');
  expect(edits.map((request) => ('rollback_to' in request ? 'rollback' : 'spec' in request ? 'spec' : 'other'))).toEqual([
    'spec',
    'rollback',
  ]);
});

test('the newest version holds a rolling edit that ran to the end, and one that terminate cancelled', () => {
  const newest = versions[versions.length - 1];
  const activities = (file: string) =>
    (JSON.parse(readFileSync(path.join(HISTORIES, newest, file), 'utf8')) as { events: RecordedEvent[] }).events
      .map((event) => event.activityTaskScheduledEventAttributes?.activityType.name)
      .filter((name) => name !== undefined);
  const rollingEdits = (file: string) => acceptedUpdates(path.join(newest, file), 'edit').filter((request) => request.rolling === true);
  expect(rollingEdits('rolling-edit.json')).toHaveLength(1);
  expect(activities('rolling-edit.json')).toEqual(
    expect.arrayContaining(['drainPipeline', 'heldStreamsAfterEdit', 'startPipelineAgain', 'waitForPipelineReady']),
  );
  expect(rollingEdits('terminate-during-rolling-edit.json')).toHaveLength(1);
  expect(activities('terminate-during-rolling-edit.json')).not.toContain('startPipelineAgain');
});

test('the newest version holds a history with live scales, while Running and while Stopped', () => {
  const scales = acceptedUpdates(path.join(versions[versions.length - 1], 'scale.json'), 'scale');
  expect(scales.map(({ request_id, replicas }) => `${request_id}:${replicas}`)).toEqual(['scale-up:3', 'scale-stopped:1']);
});

test.each(files)('the current workflow code replays %s without nondeterminism', async (file) => {
  const history = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')));
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `replay-${path.basename(file, '.json')}`);
});
