import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { workflowBundle } from '../../harness/workflow-bundle';

/** One folder per workflow version; every version's runs may still be out there and must replay. */
const HISTORIES = path.join(__dirname, '..', 'histories');
const SCENARIOS = ['continue-as-new.json', 'failure-then-terminate.json', 'lifecycle.json', 'signals.json', 'terminate-during-stop.json'];
const versions = readdirSync(HISTORIES).sort();
const files = versions.flatMap((version) => readdirSync(path.join(HISTORIES, version)).map((file) => path.join(version, file)));

test.each(versions)('recorded histories of %s cover every kind of pipeline run', (version) => {
  expect(readdirSync(path.join(HISTORIES, version)).sort()).toEqual(SCENARIOS);
});

test.each(files)('the current workflow code replays %s without nondeterminism', async (file) => {
  const history = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')));
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `replay-${path.basename(file, '.json')}`);
});
