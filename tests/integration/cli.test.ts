import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findFreePort } from '../../scripts/ports';
import { eventually } from '../../harness/eventually';
import { useTemporaryDirectory } from '../support/use-temporary-directory';
import { pipelineIdRemovedAtClose, useWeirSystem } from '../support/use-weir-system';
import { runWeir, spawnWeir, stdoutUntil } from '../support/weir-cli';

const TOKEN = 'cli-test-token-0123456789';
const weir = useWeirSystem({ env: { WEIR_API_TOKEN: TOKEN } });
const workDir = useTemporaryDirectory('weir-cli-');
const newId = () => pipelineIdRemovedAtClose(weir, 'cli');
let env: Record<string, string>;

beforeAll(() => {
  env = { WEIR_URL: weir.url, WEIR_API_TOKEN: TOKEN };
});

/** A pipeline whose component prints a numbered line five times a second. */
const talkerYaml = (id: string, replicas: number) => `# a pipeline for the CLI test
pipeline_id: ${id}
name: CLI ${id}
components:
  - name: talker
    image: busybox:latest
    command: [sh, -c, 'i=0; while true; do i=$((i+1)); echo "line $i"; sleep 0.2; done']
    replicas: ${replicas}
`;

async function writeSpec(name: string, text: string): Promise<string> {
  const file = path.join(workDir(), name);
  await writeFile(file, text);
  return file;
}

async function applied(id: string, replicas = 1): Promise<void> {
  const run = await runWeir(['apply', '-f', await writeSpec(`${id}.yaml`, talkerYaml(id, replicas))], env);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  expect(run.stdout).toContain(`pipeline ${id} created`);
  await weir.healthReaches(id, 'Running');
}

async function removed(id: string): Promise<void> {
  expect((await runWeir(['terminate', id], env)).code).toBe(0);
  await weir.healthReaches(id, 'Stopped');
  expect(await runWeir(['delete', id], env)).toMatchObject({ code: 0, stdout: `pipeline ${id} deleted\n` });
}

test('apply a YAML file; get, list, health and history as tables and as JSON', async () => {
  const first = newId();
  const second = newId();
  await applied(first, 2);
  // JSON is YAML too.
  const json = JSON.stringify({
    pipeline_id: second,
    name: `CLI ${second}`,
    components: [{ name: 'only', image: 'busybox:latest', command: ['sleep', '3600'] }],
  });
  expect((await runWeir(['apply', '-f', await writeSpec(`${second}.json`, json)], env)).code).toBe(0);
  await weir.healthReaches(second, 'Running');

  const got = await runWeir(['get', first], env);
  expect(got.code).toBe(0);
  expect(got.stdout).toContain(`Pipeline: ${first} (CLI ${first})\nStatus:   Running\n`);
  expect(got.stdout).toMatch(/COMPONENT +IMAGE +REPLICAS +INPUT +OUTPUT +COMMAND\ntalker +busybox:latest +2 +- +- +sh -c i=0;/);
  const gotJson = await runWeir(['-o', 'json', 'get', first], env);
  expect(JSON.parse(gotJson.stdout)).toMatchObject({
    pipeline_id: first,
    overall_status: 'Running',
    components: [{ name: 'talker', replicas: 2 }],
  });

  // One pipeline a page: the CLI follows the next-page token to the end.
  const listed = await runWeir(['-o', 'json', 'list', '--page-size', '1'], env);
  expect(listed.code).toBe(0);
  const ids = (JSON.parse(listed.stdout) as Array<{ pipeline_id: string }>).map((summary) => summary.pipeline_id);
  expect(ids).toEqual(expect.arrayContaining([first, second]));
  expect(new Set(ids).size).toBe(ids.length);
  const table = await runWeir(['list', '--status', 'Running'], env);
  expect(table.stdout.split('\n')[0]).toMatch(/^ID +NAME +STATUS +CREATED +UPDATED$/);
  expect(table.stdout).toMatch(new RegExp(`\\n${first} +CLI ${first} +Running +\\d{4}-`));
  const stopped = JSON.parse((await runWeir(['-o', 'json', 'list', '--status', 'Stopped'], env)).stdout) as Array<{ pipeline_id: string }>;
  expect(stopped.map((summary) => summary.pipeline_id)).not.toContain(first);

  const health = await runWeir(['health', first], env);
  expect(health.stdout).toContain('Status:   Running\n');
  expect(health.stdout).toContain('Allowed:  stop, terminate, rolling_edit, scale\n');
  expect(health.stdout).toMatch(/\ntalker +running +2\/2 +- +-/);
  expect(JSON.parse((await runWeir(['-o', 'json', 'health', first], env)).stdout)).toMatchObject({
    allowed_actions: ['stop', 'terminate', 'rolling_edit', 'scale'],
  });

  const history = await runWeir(['history', first], env);
  expect(history.stdout.split('\n')[0]).toMatch(/^AT +FROM +TO +COMMAND +SOURCE +OUTCOME +REASON$/);
  expect(history.stdout).toMatch(/Z +Created +Running +- +workflow +applied +/);

  const scaled = await runWeir(['scale', first, 'talker', '1'], env);
  expect([scaled.code, scaled.stdout.split('\n')[0]]).toEqual([0, `pipeline ${first}: talker at 1 replicas, revision 2`]);
  expect((await runWeir(['scale', first, 'talker', '11'], env)).code).toBe(2);
  expect((await runWeir(['scale', first, 'nobody', '2'], env)).code).toBe(1);
  await removed(first);
  await removed(second);
});

test('logs: the last lines of each replica, and followed as they are written', async () => {
  const id = newId();
  await applied(id, 2);
  const lines = await eventually(
    async () => (await runWeir(['logs', id, 'talker', '--tail', '2'], env)).stdout.trimEnd().split('\n'),
    (found) => found.length === 4,
  );
  for (const line of lines) expect(line).toMatch(/^\[(0|1)\] line \d+$/);

  const followed = await stdoutUntil(
    spawnWeir(['logs', id, 'talker', '-f', '--tail', '1'], env),
    (out) => (out.match(/^\[0\] line \d+$/gm) ?? []).length >= 4,
  );
  const numbers = [...followed.matchAll(/^\[0\] line (\d+)$/gm)].map((match) => Number(match[1]));
  expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  expect(numbers[numbers.length - 1]).toBeGreaterThan(numbers[0]);
  await removed(id);
});

test('commands say what they did; refusals print the message and the allowed actions, and exit 1', async () => {
  const id = newId();
  await applied(id);
  expect(await runWeir(['stop', id], env)).toMatchObject({ code: 0, stdout: `stop accepted: pipeline ${id}\n` });
  await weir.healthReaches(id, 'Stopped');
  expect(await runWeir(['stop', id], env)).toMatchObject({ code: 0, stdout: `stop noop: pipeline ${id}\n` });
  expect(JSON.parse((await runWeir(['-o', 'json', 'resume', id], env)).stdout)).toEqual({
    pipeline_id: id,
    command: 'resume',
    outcome: 'accepted',
  });
  await weir.healthReaches(id, 'Running');

  const refused = await runWeir(['delete', id], env);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toBe(
    `weir: cannot delete a pipeline that is Running (409 INVALID_TRANSITION)\n  current status: Running\n  allowed actions: stop, terminate, rolling_edit, scale\n`,
  );
  await removed(id);
  expect(await runWeir(['get', id], env)).toMatchObject({ code: 1, stderr: `weir: pipeline ${id} not found (404 NOT_FOUND)\n` });

  const invalid = await runWeir(['apply', '-f', await writeSpec('invalid.yaml', 'name: x\ncomponents: []\n')], env);
  expect(invalid.code).toBe(1);
  expect(invalid.stderr).toContain('(400 VALIDATION_FAILED)\n  components: ');
  const noToken = await runWeir(['list'], { WEIR_URL: weir.url });
  expect(noToken).toMatchObject({ code: 1, stderr: 'weir: a valid bearer token is required (401 UNAUTHORIZED)\n' });
});

test('usage errors exit 2, an unreachable API exits 3, and the bin runs through npx', async () => {
  for (const args of [
    ['bogus'],
    ['list', '--status', 'Sleeping'],
    ['get', 'Not_An_Id'],
    ['get', '..'],
    ['logs', 'a', 'b', '--tail', '0'],
    ['stop', 'a', '--wait', 'soon'],
    ['apply', '-f', path.join(workDir(), 'absent.yaml')],
    ['apply'],
  ]) {
    const run = await runWeir(args, env);
    expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
    expect(run.stderr).not.toBe('');
  }
  const notYaml = await runWeir(['apply', '-f', await writeSpec('broken.yaml', 'name: [unclosed\n')], env);
  expect(notYaml.code).toBe(2);
  expect(notYaml.stderr).toContain('is not valid YAML or JSON');

  const closedPort = await findFreePort();
  const unreachable = await runWeir(['list'], { WEIR_URL: `http://127.0.0.1:${closedPort}` });
  expect(unreachable.code).toBe(3);
  expect(unreachable.stderr).toBe(`weir: cannot reach Weir at http://127.0.0.1:${closedPort}: ECONNREFUSED (set WEIR_URL)\n`);
  expect((await runWeir(['list'], { WEIR_URL: 'ftp://127.0.0.1' })).code).toBe(2);

  const viaNpx = await runWeir(['--help'], env, { command: ['npx', '--no-install', 'weir'] });
  expect(viaNpx.code).toBe(0);
  expect(viaNpx.stdout).toContain('Usage: weir [options] [command]');
});

test('apply of an existing pipeline edits it: refused while Running, taken when Stopped and applied by the resume', async () => {
  const id = newId();
  await applied(id, 1);
  const file = await writeSpec(`${id}-edit.yaml`, talkerYaml(id, 2));
  const refused = await runWeir(['apply', '-f', file], env);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('weir: cannot edit a pipeline that is Running (409 INVALID_TRANSITION)');
  expect(refused.stderr).toContain('allowed actions: stop, terminate, rolling_edit, scale');

  expect((await runWeir(['stop', id, '--wait'], env)).code).toBe(0);
  const edited = await runWeir(['apply', '-f', file], env);
  expect(edited).toMatchObject({ code: 0, stderr: '' });
  expect(edited.stdout).toContain(`pipeline ${id} edited (revision 2); it is Stopped, so the next resume applies it`);
  expect((await runWeir(['resume', id, '--wait'], env)).code).toBe(0);
  expect((await weir.request('GET', `/api/v1/pipeline/${id}`)).body).toMatchObject({ spec_revision: 2, overall_status: 'Running' });
  await weir.healthReaches(id, 'Running');
  await removed(id);
});

test('apply --rolling edits a Running pipeline as a rolling edit: it drains, takes the new spec and runs again', async () => {
  const id = newId();
  await applied(id, 1);
  const run = await runWeir(['apply', '--rolling', '-f', await writeSpec(`${id}-2.yaml`, talkerYaml(id, 2))], env);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  expect(run.stdout).toContain(`pipeline ${id}: rolling edit to revision 2 under way (drain, edit, resume)`);
  await eventually(
    () => weir.request('GET', `/api/v1/pipeline/${id}`),
    ({ body }) => body.overall_status === 'Running' && body.spec_revision === 2,
    120_000,
    100,
  );
  expect((await weir.request('GET', `/api/v1/pipeline/${id}`)).body.components[0].replicas).toBe(2);
  await removed(id);
});
