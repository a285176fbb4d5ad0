import { isValidTransition, type PipelineStatus } from '../../pipeline/status-machine';
import { eventually } from '../../harness/eventually';
import { useWeirSystem } from '../support/use-weir-system';
import { HEALTH_GATED_IMAGE, READY_ON_FIRST_START_ONLY, ensureHealthGatedImage } from '../support/test-images';
import { newPipelineId } from '../support/test-ids';

const weir = useWeirSystem();
const newId = () => newPipelineId('conf');

beforeAll(async () => {
  await ensureHealthGatedImage();
});

async function create(components: object[]): Promise<string> {
  const id = newId();
  const answer = await weir.request('POST', '/api/v1/pipeline', { pipeline_id: id, name: id, components });
  expect(answer.status).toBe(201);
  return id;
}

const command = (id: string, name: string, requestId?: string) =>
  weir.request(
    name === 'delete' ? 'DELETE' : 'POST',
    name === 'delete' ? `/api/v1/pipeline/${id}` : `/api/v1/pipeline/${id}/${name}`,
    undefined,
    {
      ...(requestId ? { 'x-request-id': requestId } : {}),
    },
  );

/** Asserts each command's answer in the current status: 409, or 204 with the outcome the workflow reported. */
async function expectAnswers(id: string, status: PipelineStatus, expected: Record<string, '409' | 'noop'>) {
  for (const [name, answer] of Object.entries(expected)) {
    const response = await command(id, name);
    if (answer === '409') {
      expect([name, response.status, response.body]).toEqual([
        name,
        409,
        {
          code: 'INVALID_TRANSITION',
          message: `cannot ${name} a pipeline that is ${status}`,
          details: expect.objectContaining({ current_status: status }),
        },
      ]);
    } else {
      expect([name, response.status, response.headers.get('weir-command-outcome')]).toEqual([name, 204, 'noop']);
    }
  }
  expect((await weir.request('GET', `/api/v1/pipeline/${id}/health`)).body.overall_status).toBe(status);
}

test('Created refuses stop, resume and delete; terminate aborts the start', async () => {
  const id = await create([{ name: 'never-ready', image: HEALTH_GATED_IMAGE, command: ['sleep', '3600'] }]);
  await expectAnswers(id, 'Created', { stop: '409', resume: '409', delete: '409' });
  const refused = await command(id, 'delete');
  expect(refused.body.details).toEqual({ current_status: 'Created', allowed_actions: ['terminate'] });
  await weir.removeCompletely(id);
});

test('Running refuses delete; resume is a no-op', async () => {
  const id = await create([{ name: 'sleeper', image: 'busybox:latest', command: ['sleep', '3600'] }]);
  await weir.healthReaches(id, 'Running');
  await expectAnswers(id, 'Running', { delete: '409', resume: 'noop' });
  await weir.removeCompletely(id);
});

test('Stopping refuses resume and delete; stop is a no-op; terminate cancels the drain', async () => {
  const stubborn = ['sh', '-c', 'trap "" TERM; while true; do sleep 1; done'];
  const id = await create([{ name: 'stubborn', image: 'busybox:latest', command: stubborn }]);
  await weir.healthReaches(id, 'Running');
  expect((await command(id, 'stop')).status).toBe(204);
  await expectAnswers(id, 'Stopping', { resume: '409', delete: '409', stop: 'noop' });
  const terminated = await command(id, 'terminate');
  expect([terminated.status, terminated.headers.get('weir-command-outcome')]).toEqual([204, 'accepted']);
  await weir.healthReaches(id, 'Stopped');
  const [container] = (await weir.containers(id)).values();
  expect(container.State.ExitCode).toBe(137);
  await expectAnswers(id, 'Stopped', { stop: 'noop', terminate: 'noop' });
  expect((await command(id, 'delete')).status).toBe(204);
});

test('Resuming refuses stop and delete; resume is a no-op', async () => {
  const id = await create([{ name: 'flaky', image: HEALTH_GATED_IMAGE, command: READY_ON_FIRST_START_ONLY }]);
  await weir.healthReaches(id, 'Running');
  await command(id, 'terminate');
  await weir.healthReaches(id, 'Stopped');
  expect((await command(id, 'resume')).status).toBe(204);
  await expectAnswers(id, 'Resuming', { stop: '409', delete: '409', resume: 'noop' });
  await weir.removeCompletely(id);
});

test('Failed refuses stop, resume and delete', async () => {
  const id = await create([{ name: 'ghost', image: 'weir-test/does-not-exist:1' }]);
  await weir.healthReaches(id, 'Failed');
  await expectAnswers(id, 'Failed', { stop: '409', resume: '409', delete: '409' });
  await weir.removeCompletely(id);
});

test('twenty concurrent conflicting commands end in a valid state with an exact history', async () => {
  const id = await create([{ name: 'sleeper', image: 'busybox:latest', command: ['sleep', '3600'] }]);
  await weir.healthReaches(id, 'Running');
  const commands = ['stop', 'terminate', 'resume', 'stop', 'resume'];
  const sent = Array.from({ length: 20 }, (_, i) => ({ name: commands[i % commands.length], requestId: `storm-${id}-${i}` }));
  const answers = await Promise.all(sent.map(({ name, requestId }) => command(id, name, requestId)));

  expect(answers.every((answer) => answer.status === 204 || answer.status === 409)).toBe(true);
  const accepted = new Set(sent.filter((_, i) => answers[i].headers.get('weir-command-outcome') === 'accepted').map((c) => c.requestId));
  const refused = new Set(sent.filter((_, i) => answers[i].status === 409).map((c) => c.requestId));
  expect(accepted.size).toBeGreaterThan(0);

  const settled = await eventually(
    () => weir.request('GET', `/api/v1/pipeline/${id}/history`),
    (answer) => ['Running', 'Stopped'].includes(answer.body.overall_status),
    60_000,
  );
  const transitions: Array<{ from: PipelineStatus; to: PipelineStatus; source: string; request_id: string | null }> =
    settled.body.transitions;
  transitions.forEach((transition, i) => {
    expect(isValidTransition(transition.from, transition.to)).toBe(true);
    if (i > 0) expect(transition.from).toBe(transitions[i - 1].to);
  });
  const recorded = transitions.filter((t) => t.source === 'api').map((t) => t.request_id);
  expect(new Set(recorded)).toEqual(accepted);
  expect(recorded).toHaveLength(accepted.size);
  expect(recorded.some((requestId) => refused.has(requestId ?? ''))).toBe(false);
  expect(transitions[transitions.length - 1].to).toBe(settled.body.overall_status);

  await weir.removeCompletely(id);
});
