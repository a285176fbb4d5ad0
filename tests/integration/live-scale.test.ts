import { eventually } from '../../harness/eventually';
import { WeirSystem } from '../../harness/weir-system';
import { dockerBackend, kubernetesBackend, type ComponentBody, type OrchestratorBackend } from '../support/orchestrator-backends';
import { STUCK_DRAIN_COMPONENTS, leaveMessageForSink } from '../support/stuck-drain';
import { newPipelineId } from '../support/test-ids';

const SLEEP = ['sleep', '3600'];

interface Transition {
  from: string;
  to: string;
  command: string | null;
  request_id: string | null;
  reason: string;
  spec_revision?: number;
  spec_change?: unknown;
}

describe.each([dockerBackend, kubernetesBackend()])('a live scale on $name', (backend: OrchestratorBackend) => {
  let weir: WeirSystem;
  const newId = () => newPipelineId(`sc${backend.name[0]}`);

  beforeAll(async () => {
    await backend.setUp();
    weir = await WeirSystem.start({ env: { ...backend.env(), WEIR_STOP_GRACE_SECONDS: '3' } });
  });

  afterAll(async () => {
    await weir?.close();
    await backend.tearDown();
  });

  async function create(components: ComponentBody[]): Promise<string> {
    const id = newId();
    const body = { pipeline_id: id, name: `Scale ${id}`, components: components.map((c) => ({ image: 'busybox:latest', ...c })) };
    expect((await weir.request('POST', '/api/v1/pipeline', body)).status).toBe(201);
    weir.removeAtClose(id);
    await weir.healthReaches(id, 'Running');
    return id;
  }

  const scale = (id: string, component: string, body: unknown, requestId?: string) =>
    weir.request('PATCH', `/api/v1/pipeline/${id}/components/${component}`, body, requestId ? { 'x-request-id': requestId } : {});

  const transitions = async (id: string): Promise<Transition[]> =>
    (await weir.request('GET', `/api/v1/pipeline/${id}/history`)).body.transitions;

  /** The health of `component` once the watch reports `replicas` of it ready. */
  const healthWhenReady = (id: string, component: string, replicas: number) =>
    eventually(
      async () => (await weir.request('GET', `/api/v1/pipeline/${id}/health`)).body,
      (health) =>
        health.components.some(
          (c: { name: string; desired_replicas: number; ready_replicas: number }) =>
            c.name === component && c.desired_replicas === replicas && c.ready_replicas === replicas,
        ),
      60_000,
    );

  test('while Running, a scale up and down changes only that component, stays Running, and is recorded as revisions', async () => {
    const id = await create([
      { name: 'worker', command: SLEEP, replicas: 1 },
      { name: 'steady', command: SLEEP, replicas: 1 },
    ]);
    const steadyBefore = backend.name === 'docker' ? (await weir.containers(id)).get(`weir-${id}-steady-0`)?.Id : undefined;

    const up = await scale(id, 'worker', { replicas: 3 }, `up-${id}`);
    expect([up.status, up.headers.get('weir-command-outcome'), up.body.overall_status, up.body.spec_revision]).toEqual([
      200,
      'accepted',
      'Running',
      2,
    ]);
    expect(up.body.components.map((c: { replicas: number }) => c.replicas)).toEqual([3, 1]);
    // A retry is answered as the first was, and makes no revision of its own.
    const retried = await scale(id, 'worker', { replicas: 3 }, `up-${id}`);
    expect([retried.status, retried.headers.get('weir-command-outcome'), retried.body.spec_revision]).toEqual([200, 'accepted', 2]);
    const again = await scale(id, 'worker', { replicas: 3 });
    expect([again.status, again.headers.get('weir-command-outcome'), again.body.spec_revision]).toEqual([200, 'noop', 2]);

    await eventually(
      () => backend.runningReplicas(weir, id),
      (counts) => counts.worker === 3,
      60_000,
    );
    const afterUp = await healthWhenReady(id, 'worker', 3);
    expect(afterUp.overall_status).toBe('Running');

    const down = await scale(id, 'worker', { replicas: 1 }, `down-${id}`);
    expect([down.status, down.body.overall_status, down.body.spec_revision]).toEqual([200, 'Running', 3]);
    await eventually(
      () => backend.runningReplicas(weir, id),
      (counts) => counts.worker === 1,
      60_000,
    );
    await healthWhenReady(id, 'worker', 1);
    if (backend.name === 'docker') {
      const names = [...(await weir.containers(id)).keys()].sort();
      expect(names).toEqual([`weir-${id}-steady-0`, `weir-${id}-worker-0`]);
      expect((await weir.containers(id)).get(`weir-${id}-steady-0`)?.Id).toBe(steadyBefore);
    }
    expect(await backend.runningReplicas(weir, id)).toEqual({ worker: 1, steady: 1 });

    const history = await transitions(id);
    expect(history.map(({ from, to }) => `${from}→${to}`)).toEqual(['Created→Running', 'Running→Running', 'Running→Running']);
    expect(history.slice(1)).toEqual([
      expect.objectContaining({
        command: 'scale',
        request_id: `up-${id}`,
        reason: 'scale of worker from 1 to 3 replicas requested: revision 2, changed worker (replicas)',
        spec_revision: 2,
        spec_change: { fields: [], added: [], removed: [], changed: [{ component: 'worker', fields: ['replicas'] }] },
      }),
      expect.objectContaining({ command: 'scale', request_id: `down-${id}`, spec_revision: 3 }),
    ]);
    const second = await weir.request('GET', `/api/v1/pipeline/${id}?revision=2`);
    expect([second.body.spec_revision, second.body.components.map((c: { replicas: number }) => c.replicas)]).toEqual([2, [3, 1]]);
    // The pipeline keeps running on the new count: the watch of the new spec holds no removed replica against it.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await weir.request('GET', `/api/v1/pipeline/${id}/health`)).body.overall_status).toBe('Running');
  });

  test('a scale of an unknown component is 404, a bad count or body is 400; neither changes anything', async () => {
    const id = await create([{ name: 'worker', command: SLEEP }]);
    const unknown = await scale(id, 'nobody', { replicas: 2 });
    expect([unknown.status, unknown.body.code, unknown.body.message]).toEqual([404, 'NOT_FOUND', `pipeline ${id} has no component nobody`]);
    for (const body of [{ replicas: 0 }, { replicas: 11 }, { replicas: 2.5 }, { replicas: 2, image: 'busybox:latest' }]) {
      const refused = await scale(id, 'worker', body);
      expect([JSON.stringify(body), refused.status, refused.body.code]).toEqual([JSON.stringify(body), 400, 'VALIDATION_FAILED']);
    }
    const malformed = await fetch(`${weir.url}/api/v1/pipeline/${id}/components/worker`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"replicas": ',
    });
    expect([malformed.status, ((await malformed.json()) as { code: string }).code]).toEqual([400, 'MALFORMED_JSON']);
    const missing = await weir.request('PATCH', `/api/v1/pipeline/${newId()}/components/worker`, { replicas: 2 });
    expect(missing.status).toBe(404);
    expect((await weir.request('GET', `/api/v1/pipeline/${id}`)).body.spec_revision).toBe(1);
    expect((await transitions(id)).map(({ to }) => to)).toEqual(['Running']);
  });

  test('a scale is refused in Stopping and changes nothing; in Stopped it is an edit of replicas that the resume applies', async () => {
    const id = await create(STUCK_DRAIN_COMPONENTS);
    await leaveMessageForSink(id);
    expect((await weir.request('POST', `/api/v1/pipeline/${id}/stop`)).status).toBe(204);
    await weir.healthReaches(id, 'Stopping');
    const refused = await scale(id, 'sink', { replicas: 2 });
    expect([refused.status, refused.body]).toEqual([
      409,
      {
        code: 'INVALID_TRANSITION',
        message: 'cannot scale a pipeline that is Stopping',
        details: { current_status: 'Stopping', allowed_actions: ['terminate'] },
      },
    ]);
    expect((await weir.request('GET', `/api/v1/pipeline/${id}`)).body.spec_revision).toBe(1);

    expect((await weir.request('POST', `/api/v1/pipeline/${id}/terminate`)).status).toBe(204);
    await weir.healthReaches(id, 'Stopped');
    const edited = await scale(id, 'sink', { replicas: 2 });
    expect([edited.status, edited.body.overall_status, edited.body.spec_revision]).toEqual([200, 'Stopped', 2]);
    expect(await backend.runningReplicas(weir, id)).toEqual(expect.not.objectContaining({ sink: 2 }));
    expect((await weir.request('POST', `/api/v1/pipeline/${id}/resume`)).status).toBe(204);
    await weir.healthReaches(id, 'Running');
    await eventually(
      () => backend.runningReplicas(weir, id),
      (counts) => counts.sink === 2 && counts.source === 1,
      60_000,
    );
    const history = await transitions(id);
    expect(history.map(({ command, to }) => `${command ?? '-'}→${to}`)).toEqual([
      '-→Running',
      'stop→Stopping',
      'terminate→Terminating',
      '-→Stopped',
      'scale→Stopped',
      'resume→Resuming',
      '-→Running',
    ]);
  });
});
