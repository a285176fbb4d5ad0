import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../../harness/eventually';
import { WeirSystem } from '../../harness/weir-system';
import { workflowIdFor } from '../../pipeline/names';
import type { PipelineStatus } from '../../pipeline/status-machine';
import { dockerBackend, kubernetesBackend, type ComponentBody, type OrchestratorBackend } from '../support/orchestrator-backends';
import { expectLifecycle } from '../support/expect-lifecycle';
import { STUCK_DRAIN_COMPONENTS, leaveMessageForSink } from '../support/stuck-drain';
import { newPipelineId } from '../support/test-ids';
import { ROLLED_OUT_TO_REVISION_2, markedSteps, transitionsOf, untilRunningOn } from '../support/rolling-edit-steps';

const SECRET_VALUE = `value-${randomBytes(12).toString('hex')}`;
const SLEEP = ['sleep', '3600'];

describe.each([dockerBackend, kubernetesBackend()])('the lifecycle on $name', (backend: OrchestratorBackend) => {
  let weir: WeirSystem;
  let secretsDir: string;
  const newId = () => newPipelineId(`lc${backend.name[0]}`);

  beforeAll(async () => {
    await backend.setUp();
    secretsDir = await mkdtemp(path.join(os.tmpdir(), 'weir-lifecycle-secrets-'));
    await chmod(secretsDir, 0o700);
    await writeFile(path.join(secretsDir, 'db-password'), `${SECRET_VALUE}\n`, { mode: 0o600 });
    weir = await WeirSystem.start({ env: { ...backend.env(), WEIR_SECRETS_DIR: secretsDir } });
  });

  afterAll(async () => {
    await backend.release();
    await weir?.close();
    await rm(secretsDir, { recursive: true, force: true });
    await backend.tearDown();
  });

  async function create(components: ComponentBody[], id = newId()): Promise<string> {
    const body = {
      pipeline_id: id,
      name: `Lifecycle ${id}`,
      components: components.map((component) => ({ image: 'busybox:latest', ...component })),
    };
    const answer = await weir.request('POST', '/api/v1/pipeline', body);
    expect([answer.status, answer.body?.overall_status]).toEqual([201, 'Created']);
    weir.removeAtClose(id);
    return id;
  }

  const command = (id: string, name: string) =>
    weir.request(name === 'delete' ? 'DELETE' : 'POST', name === 'delete' ? `/api/v1/pipeline/${id}` : `/api/v1/pipeline/${id}/${name}`);

  /** Asserts each command's answer in the current status: 409, or 204 as a no-op. */
  async function expectAnswers(id: string, status: PipelineStatus, expected: Record<string, '409' | 'noop'>): Promise<void> {
    for (const [name, answer] of Object.entries(expected)) {
      const response = await command(id, name);
      if (answer === '409') expect([name, response.status, response.body?.code]).toEqual([name, 409, 'INVALID_TRANSITION']);
      else expect([name, response.status, response.headers.get('weir-command-outcome')]).toEqual([name, 204, 'noop']);
    }
    expect((await weir.request('GET', `/api/v1/pipeline/${id}/health`)).body.overall_status).toBe(status);
  }

  async function accepted(id: string, name: string, then: PipelineStatus): Promise<void> {
    const answer = await command(id, name);
    expect([name, answer.status, answer.headers.get('weir-command-outcome')]).toEqual([name, 204, 'accepted']);
    await weir.healthReaches(id, then);
  }

  /** Once a message waits for the sink, a stop drains until terminated. */
  async function pipelineWithStuckDrain(): Promise<string> {
    const id = await create(STUCK_DRAIN_COMPONENTS);
    await weir.healthReaches(id, 'Running');
    await leaveMessageForSink(id);
    return id;
  }

  test('create, stop, resume, terminate and delete, checked against the orchestrator at every step', async () => {
    const id = await create([
      { name: 'ingestor', command: SLEEP, replicas: 2, secret_env: { DB_PASSWORD: 'db-password' } },
      { name: 'sink', command: SLEEP },
    ]);
    await weir.healthReaches(id, 'Running');
    // Components show their states from the watch's first heartbeat, a moment after the pipeline reaches Running.
    const running = await eventually(
      () => weir.request('GET', `/api/v1/pipeline/${id}/health`),
      (answer) => answer.body.components.every((component: { state: string }) => component.state !== 'unknown'),
    );
    expect(running.body.components).toEqual([
      expect.objectContaining({ name: 'ingestor', desired_replicas: 2, ready_replicas: 2, state: 'running' }),
      expect.objectContaining({ name: 'sink', desired_replicas: 1, ready_replicas: 1, state: 'running' }),
    ]);
    expect(await backend.runningReplicas(weir, id)).toEqual({ ingestor: 2, sink: 1 });
    expect(await backend.secretValueOf(weir, id, 'ingestor', 'DB_PASSWORD')).toBe(SECRET_VALUE);

    await expectLifecycle(weir, id, {
      stopped: async () => {
        expect(await backend.runningReplicas(weir, id)).toEqual({ ingestor: 0, sink: 0 });
        await expectAnswers(id, 'Stopped', { stop: 'noop', terminate: 'noop' });
      },
      resumed: async () => {
        expect(await backend.runningReplicas(weir, id)).toEqual({ ingestor: 2, sink: 1 });
        await expectAnswers(id, 'Running', { resume: 'noop', delete: '409' });
      },
      terminated: async () => {
        expect(await backend.runningReplicas(weir, id)).toEqual({ ingestor: 0, sink: 0 });
        const events = JSON.stringify(await weir.client.workflow.getHandle(workflowIdFor(id)).fetchHistory());
        expect(events).not.toContain(SECRET_VALUE);
      },
    });
    expect(Object.values(await weir.leftovers(id)).every((count) => count === 0)).toBe(true);
  });

  test('Created refuses stop, resume and delete; terminate aborts the start and leaves nothing running', async () => {
    await backend.holdStarts();
    const id = await create(backend.neverReady());
    await expectAnswers(id, 'Created', { stop: '409', resume: '409', delete: '409' });
    await accepted(id, 'terminate', 'Stopped');
    await backend.release();
    expect(Object.values(await backend.runningReplicas(weir, id)).every((count) => count === 0)).toBe(true);
    await weir.removeCompletely(id);
  });

  test('Stopping refuses resume and delete; stop is a no-op; terminate cancels the drain', async () => {
    const id = await pipelineWithStuckDrain();
    await accepted(id, 'stop', 'Stopping');
    const draining = await eventually(
      () => weir.request('GET', `/api/v1/pipeline/${id}/health`),
      (answer) => answer.body.components[1].unfinished_messages === 1,
    );
    expect(draining.body.components).toEqual([
      expect.objectContaining({ name: 'source', state: 'stopped' }),
      expect.objectContaining({ name: 'sink', state: 'draining', unfinished_messages: 1 }),
    ]);
    await expectAnswers(id, 'Stopping', { resume: '409', delete: '409', stop: 'noop' });
    await accepted(id, 'terminate', 'Stopped');
    expect(await backend.runningReplicas(weir, id)).toEqual({ source: 0, sink: 0 });
    await weir.removeCompletely(id);
  });

  test('Resuming refuses stop and delete; resume is a no-op; terminate aborts it', async () => {
    const id = await create([backend.readyOnce()]);
    await weir.healthReaches(id, 'Running');
    await accepted(id, 'terminate', 'Stopped');
    await backend.holdStarts();
    await accepted(id, 'resume', 'Resuming');
    await expectAnswers(id, 'Resuming', { stop: '409', delete: '409', resume: 'noop' });
    await accepted(id, 'terminate', 'Stopped');
    await backend.release();
    await weir.removeCompletely(id);
  });

  test('a component failing while Running fails the pipeline naming it; Failed refuses stop, resume and delete; terminate then resume runs again', async () => {
    const id = await create([
      { name: 'steady', command: SLEEP },
      { name: 'victim', command: SLEEP },
    ]);
    await weir.healthReaches(id, 'Running');
    await backend.failComponent(weir, id, 'victim');
    const failed = await weir.healthReaches(id, 'Failed');
    expect(failed.body.failure).toMatchObject({ operation: 'monitor', component: 'victim' });
    await expectAnswers(id, 'Failed', { stop: '409', resume: '409', delete: '409' });
    await accepted(id, 'terminate', 'Stopped');
    await accepted(id, 'resume', 'Running');
    expect(await backend.runningReplicas(weir, id)).toEqual({ steady: 1, victim: 1 });
    await weir.removeCompletely(id);
  });

  test('delete joins a removal in flight, leaves nothing, and the id can be used again', async () => {
    const id = await create([{ name: 'sleeper', command: SLEEP, replicas: 3 }]);
    await weir.healthReaches(id, 'Running');
    await accepted(id, 'terminate', 'Stopped');
    const [first, second] = await Promise.all([command(id, 'delete'), command(id, 'delete')]);
    expect([first.status, second.status]).toEqual([204, 204]);
    expect(Object.values(await weir.leftovers(id)).every((count) => count === 0)).toBe(true);

    await create([{ name: 'sleeper', command: SLEEP }], id);
    await weir.healthReaches(id, 'Running');
    expect(await backend.runningReplicas(weir, id)).toEqual({ sleeper: 1 });
    await weir.removeCompletely(id);
  });

  const specBody = (id: string, components: ComponentBody[]) => ({
    name: `Lifecycle ${id}`,
    components: components.map((component) => ({ image: 'busybox:latest', ...component })),
  });
  const edit = (id: string, components: ComponentBody[], query = '') =>
    weir.request('PUT', `/api/v1/pipeline/${id}${query}`, specBody(id, components));

  test('an edit is refused while Running and applied at resume: a removed component goes, a changed one is recreated, a kept one stays; live scale; rollback restores the first spec', async () => {
    const first: ComponentBody[] = [
      { name: 'kept', command: SLEEP },
      { name: 'changed', command: SLEEP },
      { name: 'removed', command: SLEEP },
    ];
    const second: ComponentBody[] = [first[0], { name: 'changed', command: ['sleep', '3601'] }, { name: 'added', command: SLEEP }];
    const id = await create(first);
    await weir.healthReaches(id, 'Running');
    const refused = await edit(id, second);
    expect([refused.status, refused.body.code]).toEqual([409, 'INVALID_TRANSITION']);
    const original = await backend.specIdentities(weir, id);

    await accepted(id, 'stop', 'Stopped');
    const edited = await edit(id, second);
    expect([edited.status, edited.body.spec_revision]).toEqual([200, 2]);
    await accepted(id, 'resume', 'Running');
    expect(await backend.runningReplicas(weir, id)).toEqual({ kept: 1, changed: 1, added: 1 });
    const resumed = await backend.specIdentities(weir, id);
    expect(resumed.kept).toBe(original.kept);
    expect(resumed.changed).not.toBe(original.changed);

    const scaled = await weir.request('PATCH', `/api/v1/pipeline/${id}/components/kept`, { replicas: 2 });
    expect([scaled.status, scaled.body.overall_status, scaled.body.spec_revision]).toEqual([200, 'Running', 3]);
    await eventually(
      () => backend.runningReplicas(weir, id),
      (replicas) => replicas.kept === 2,
    );
    expect((await weir.request('GET', `/api/v1/pipeline/${id}/health`)).body.overall_status).toBe('Running');

    await accepted(id, 'stop', 'Stopped');
    const rolledBack = await weir.request('POST', `/api/v1/pipeline/${id}/rollback?revision=1`);
    expect([rolledBack.status, rolledBack.body.spec_revision]).toEqual([200, 4]);
    const revisionOne = (await weir.request('GET', `/api/v1/pipeline/${id}?revision=1`)).body;
    expect((await weir.request('GET', `/api/v1/pipeline/${id}`)).body.components).toEqual(revisionOne.components);
    await accepted(id, 'resume', 'Running');
    expect(await backend.runningReplicas(weir, id)).toEqual({ kept: 1, changed: 1, removed: 1 });
    await weir.removeCompletely(id);
  });

  test('a rolling edit of a Running pipeline drains, edits and resumes it; terminate during its drain cancels the rest', async () => {
    const id = await create([{ name: 'sleeper', command: SLEEP }]);
    await weir.healthReaches(id, 'Running');
    const rolling = await edit(id, [{ name: 'sleeper', command: SLEEP, replicas: 2 }], '?apply=rolling');
    expect([rolling.status, rolling.body.rolling_edit]).toEqual([202, 2]);
    await untilRunningOn(weir, id, 2, 120_000);
    expect(await backend.runningReplicas(weir, id)).toEqual({ sleeper: 2 });
    expect(markedSteps(await transitionsOf(weir, id))).toEqual(ROLLED_OUT_TO_REVISION_2);
    await weir.removeCompletely(id);

    const stuck = await pipelineWithStuckDrain();
    const cancelled = await edit(
      stuck,
      STUCK_DRAIN_COMPONENTS.map((component) => ({ ...component, replicas: 2 })),
      '?apply=rolling',
    );
    expect(cancelled.status).toBe(202);
    await eventually(
      () => weir.request('GET', `/api/v1/pipeline/${stuck}/health`),
      (answer) => answer.body.overall_status === 'Stopping' && answer.body.components[1].unfinished_messages === 1,
    );
    await accepted(stuck, 'terminate', 'Stopped');
    const pipeline = (await weir.request('GET', `/api/v1/pipeline/${stuck}`)).body;
    expect([pipeline.overall_status, pipeline.spec_revision, pipeline.rolling_edit]).toEqual(['Stopped', 1, undefined]);
    expect(await backend.runningReplicas(weir, stuck)).toEqual({ source: 0, sink: 0 });
    await weir.removeCompletely(stuck);
  });
});
