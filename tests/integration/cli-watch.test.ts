import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SOURCE_OUTPUT, holdConsumer, threeStageComponents } from '../../harness/pipeline-data';
import { useTemporaryDirectory } from '../support/use-temporary-directory';
import { pipelineIdRemovedAtClose, useWeirSystem } from '../support/use-weir-system';
import { runWeir, spawnWeir, stdoutUntil } from '../support/weir-cli';

// The CLI commands that read ?wait= on commands and the /events stream of the API.

const weir = useWeirSystem({ env: { WEIR_DOCKER_PULL: 'false' } });
const workDir = useTemporaryDirectory('weir-cli-watch-');
const newId = () => pipelineIdRemovedAtClose(weir, 'watch');
let env: Record<string, string>;

beforeAll(() => {
  env = { WEIR_URL: weir.url };
});

async function apply(spec: object): Promise<void> {
  const file = path.join(workDir(), `${(spec as { pipeline_id: string }).pipeline_id}.json`);
  await writeFile(file, JSON.stringify(spec));
  expect((await runWeir(['apply', '-f', file], env)).code).toBe(0);
}

const sleeper = (id: string) => ({
  pipeline_id: id,
  name: `Watch ${id}`,
  components: [{ name: 'only', image: 'busybox:latest', command: ['sleep', '3600'] }],
});

test('stop --wait shows the drain, then the final status; a wait that runs out exits 1; resume and delete --wait wait for theirs', async () => {
  const id = newId();
  await apply({ pipeline_id: id, name: `Drain ${id}`, components: threeStageComponents(3000) });
  // The transform's consumer holds every message, so the drain has messages to show until it is let go.
  const release = await holdConsumer(process.env.NATS_URL!, id, SOURCE_OUTPUT, 'transform');
  await weir.healthReaches(id, 'Running');

  const ranOut = await runWeir(['stop', id, '--wait', '2'], env);
  expect(ranOut.code).toBe(1);
  expect(ranOut.stdout).toContain('Status:   Stopping\n');
  expect(ranOut.stderr).toContain(`weir: pipeline ${id} is still Stopping after 2 s`);

  // Another stop is a no-op, and waits all the same.
  const stopping = runWeir(['stop', id, '--wait', '120'], env, { timeoutMs: 150_000 });
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await release();
  const stopped = await stopping;
  expect(stopped.code).toBe(0);
  expect(stopped.stdout).toContain('Status:   Stopped\n');
  expect(stopped.stderr).toMatch(/^draining: .*transform=[1-9]\d*/m);

  const resumed = await runWeir(['-o', 'json', 'resume', id, '--wait'], env, { timeoutMs: 150_000 });
  expect(resumed.code).toBe(0);
  expect(JSON.parse(resumed.stdout)).toMatchObject({ pipeline_id: id, overall_status: 'Running' });
  expect((await runWeir(['terminate', id, '--wait', '60'], env)).code).toBe(0);
  expect(await runWeir(['delete', id, '--wait', '60'], env)).toMatchObject({ code: 0, stdout: `pipeline ${id} deleted\n` });
});

test('a command whose pipeline ends Failed exits 1 with the failure', async () => {
  const id = newId();
  // The image is not on the engine and is not pulled, so every start fails.
  await apply({ pipeline_id: id, name: `Fail ${id}`, components: [{ name: 'absent', image: 'weir-test/absent:1' }] });
  await weir.healthReaches(id, 'Failed');
  expect((await runWeir(['terminate', id, '--wait', '60'], env)).code).toBe(0);
  const failed = await runWeir(['resume', id, '--wait', '60'], env, { timeoutMs: 90_000 });
  expect(failed.code).toBe(1);
  expect(failed.stdout).toContain('Status:   Failed\n');
  expect(failed.stdout).toMatch(/Failure: {2}resume of absent failed/);
  expect((await runWeir(['terminate', id, '--wait', '60'], env)).code).toBe(0);
  expect((await runWeir(['delete', id, '--wait', '60'], env)).code).toBe(0);
});

test('events prints each transition, health --watch shows each health view, and both end with the deletion', async () => {
  const id = newId();
  await apply(sleeper(id));
  await weir.healthReaches(id, 'Running');
  const events = spawnWeir(['events', id], env);
  const watch = spawnWeir(['-o', 'json', 'health', id, '--watch'], env);
  const eventLines = stdoutUntil(events, (out) => /transition Stopping -> Stopped/.test(out), 60_000);
  const healthLines = stdoutUntil(watch, (out) => out.split('\n').some((line) => line.includes('"overall_status":"Stopped"')), 60_000);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect((await runWeir(['stop', id], env)).code).toBe(0);
  const printed = await eventLines;
  // The stream opens with the status the pipeline has.
  expect(printed.split('\n')[0]).toMatch(/^\S+Z status Running \(allowed: stop, terminate, rolling_edit, scale\)$/);
  expect(printed).toMatch(/transition Running -> Stopping \(stop, api, cli-[0-9a-f-]+\)/);
  const views = (await healthLines)
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(views[0]).toMatchObject({ pipeline_id: id, overall_status: 'Running' });
  expect(views[views.length - 1]).toMatchObject({ pipeline_id: id, overall_status: 'Stopped' });

  const untilDeleted = runWeir(['events', id], env, { timeoutMs: 60_000 });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect((await runWeir(['delete', id], env)).code).toBe(0);
  const deleted = await untilDeleted;
  expect(deleted.code).toBe(0);
  expect(deleted.stdout.trimEnd().split('\n').pop()).toBe('deleted');
});
