import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { workflowBundle } from './support/workflow-harness';

const HISTORIES = path.join(__dirname, 'histories');
const files = readdirSync(HISTORIES).filter((file) => file.endsWith('.json'));

test('recorded histories cover every kind of pipeline run', () => {
  expect(files.sort()).toEqual(['continue-as-new.json', 'failure-then-terminate.json', 'lifecycle.json', 'signals.json', 'terminate-during-stop.json']);
});

test.each(files)('the current workflow code replays %s without nondeterminism', async (file) => {
  const history = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')));
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `replay-${path.basename(file, '.json')}`);
});
