import { jetstreamManager } from '@nats-io/jetstream';
import { jetStreamName } from '../../activities/nats/stream-names';
import { REFERENCE_COMPONENT_IMAGE } from '../../component/image';
import { eventually } from '../../harness/eventually';
import { holdConsumer, sinkDelivery, streamFacts } from '../../harness/pipeline-data';
import { connectAsWeir, testNatsUrl } from '../../harness/test-nats';
import type { ComponentSpec } from '../../pipeline/pipeline-spec';
import { useWeirSystem } from '../support/use-weir-system';
import { newPipelineId } from '../support/test-ids';

const weir = useWeirSystem();
const SLEEP = ['sleep', '3600'];

/** Four components, each of which the edit below treats differently. */
const before: ComponentSpec[] = [
  { name: 'kept', image: 'busybox:latest', command: SLEEP, replicas: 1 },
  { name: 'changed', image: 'busybox:latest', command: SLEEP, env: { MODE: 'one' }, replicas: 1 },
  { name: 'removed', image: 'busybox:latest', command: SLEEP, replicas: 1 },
  { name: 'scaled', image: 'busybox:latest', command: SLEEP, replicas: 2 },
];
const after: ComponentSpec[] = [
  { name: 'kept', image: 'busybox:latest', command: SLEEP, replicas: 1 },
  { name: 'changed', image: 'busybox:latest', command: SLEEP, env: { MODE: 'two' }, replicas: 1 },
  { name: 'scaled', image: 'busybox:latest', command: SLEEP, replicas: 1 },
  { name: 'added', image: 'busybox:latest', command: SLEEP, replicas: 1 },
];

async function createStopped(components: ComponentSpec[]): Promise<string> {
  const id = newPipelineId('edit');
  const created = await weir.request('POST', '/api/v1/pipeline', { pipeline_id: id, name: `Edit ${id}`, components });
  expect(created.status).toBe(201);
  weir.removeAtClose(id);
  await weir.healthReaches(id, 'Running');
  await stop(id);
  return id;
}

async function stop(id: string): Promise<void> {
  expect((await weir.request('POST', `/api/v1/pipeline/${id}/stop`)).status).toBe(204);
  await weir.healthReaches(id, 'Stopped');
}

async function resume(id: string): Promise<void> {
  expect((await weir.request('POST', `/api/v1/pipeline/${id}/resume`)).status).toBe(204);
  await weir.healthReaches(id, 'Running');
}

/** Container id by container name. */
async function containerIds(id: string): Promise<Map<string, string>> {
  return new Map([...(await weir.containers(id))].map(([name, info]) => [name, info.Id]));
}

test('an edit is refused while Running, naming the status and what is allowed', async () => {
  const id = newPipelineId('edit');
  await weir.request('POST', '/api/v1/pipeline', { pipeline_id: id, name: 'Running', components: before.slice(0, 1) });
  weir.removeAtClose(id);
  await weir.healthReaches(id, 'Running');
  const refused = await weir.request('PUT', `/api/v1/pipeline/${id}`, { name: 'Running', components: after });
  expect([refused.status, refused.body]).toEqual([
    409,
    {
      code: 'INVALID_TRANSITION',
      message: 'cannot edit a pipeline that is Running',
      details: { current_status: 'Running', allowed_actions: ['stop', 'terminate', 'rolling_edit', 'scale'] },
    },
  ]);
  expect((await weir.request('GET', `/api/v1/pipeline/${id}`)).body.spec_revision).toBe(1);
});

test('an edit then a resume applies exactly the diff: removed and surplus containers go, changed ones are recreated, the rest are kept', async () => {
  const id = await createStopped(before);
  const original = await containerIds(id);
  expect([...original.keys()].sort()).toEqual([
    `weir-${id}-changed-0`,
    `weir-${id}-kept-0`,
    `weir-${id}-removed-0`,
    `weir-${id}-scaled-0`,
    `weir-${id}-scaled-1`,
  ]);

  const edited = await weir.request(
    'PUT',
    `/api/v1/pipeline/${id}`,
    { pipeline_id: id, name: `Edit ${id}`, components: after },
    { 'x-request-id': `edit-${id}` },
  );
  expect([edited.status, edited.headers.get('weir-command-outcome'), edited.body.spec_revision, edited.body.overall_status]).toEqual([
    200,
    'accepted',
    2,
    'Stopped',
  ]);
  expect(edited.body.components).toEqual(after);
  const retried = await weir.request(
    'PUT',
    `/api/v1/pipeline/${id}`,
    { name: `Edit ${id}`, components: after },
    { 'x-request-id': `edit-${id}` },
  );
  expect([retried.status, retried.body.spec_revision]).toEqual([200, 2]);
  // Nothing changes before the resume.
  expect(await containerIds(id)).toEqual(original);

  // The current spec and its revision are read from the memo, with no worker.
  await weir.stopWorker();
  try {
    const current = await weir.request('GET', `/api/v1/pipeline/${id}`);
    expect([current.status, current.body.spec_revision, current.body.components]).toEqual([200, 2, after]);
    const health = await weir.request('GET', `/api/v1/pipeline/${id}/health`);
    expect([health.body.spec_revision, health.body.components.map((c: { name: string }) => c.name)]).toEqual([
      2,
      ['kept', 'changed', 'scaled', 'added'],
    ]);
  } finally {
    await weir.startWorker();
  }

  await resume(id);
  const containers = await weir.containers(id);
  expect([...containers.keys()].sort()).toEqual([`weir-${id}-added-0`, `weir-${id}-changed-0`, `weir-${id}-kept-0`, `weir-${id}-scaled-0`]);
  expect(containers.get(`weir-${id}-kept-0`)?.Id).toBe(original.get(`weir-${id}-kept-0`));
  expect(containers.get(`weir-${id}-scaled-0`)?.Id).toBe(original.get(`weir-${id}-scaled-0`));
  expect(containers.get(`weir-${id}-changed-0`)?.Id).not.toBe(original.get(`weir-${id}-changed-0`));
  expect(containers.get(`weir-${id}-changed-0`)?.Config.Env).toContain('MODE=two');
  for (const info of containers.values()) expect(info.State.Running).toBe(true);
  expect(containers.get(`weir-${id}-changed-0`)?.Config.Labels['weir.spec-hash']).not.toBe(
    containers.get(`weir-${id}-kept-0`)?.Config.Labels['weir.spec-hash'],
  );

  const history = (await weir.request('GET', `/api/v1/pipeline/${id}/history`)).body.transitions;
  const edits = history.filter((t: { command: string }) => t.command === 'edit');
  expect(edits).toEqual([
    expect.objectContaining({
      from: 'Stopped',
      to: 'Stopped',
      request_id: `edit-${id}`,
      spec_revision: 2,
      spec_change: {
        fields: [],
        added: ['added'],
        removed: ['removed'],
        changed: [
          { component: 'changed', fields: ['env.MODE'] },
          { component: 'scaled', fields: ['replicas'] },
        ],
      },
    }),
  ]);
  expect(JSON.stringify(edits)).not.toContain('two');
});

test('a rollback restores the earlier spec exactly, and every revision stays readable', async () => {
  const id = await createStopped(before);
  const original = await containerIds(id);
  const first = (await weir.request('GET', `/api/v1/pipeline/${id}`)).body;
  expect((await weir.request('PUT', `/api/v1/pipeline/${id}`, { name: 'Second', components: after })).body.spec_revision).toBe(2);

  const rolledBack = await weir.request('POST', `/api/v1/pipeline/${id}/rollback?revision=1`);
  expect([rolledBack.status, rolledBack.body.spec_revision]).toEqual([200, 3]);
  const current = (await weir.request('GET', `/api/v1/pipeline/${id}`)).body;
  expect({ name: current.name, components: current.components }).toEqual({ name: first.name, components: first.components });
  expect((await weir.request('GET', `/api/v1/pipeline/${id}?revision=1`)).body).toMatchObject({
    spec_revision: 1,
    name: first.name,
    components: before,
  });
  expect((await weir.request('GET', `/api/v1/pipeline/${id}?revision=2`)).body).toMatchObject({
    spec_revision: 2,
    name: 'Second',
    components: after,
  });
  const missing = await weir.request('GET', `/api/v1/pipeline/${id}?revision=4`);
  expect([missing.status, missing.body.code]).toEqual([404, 'NOT_FOUND']);
  expect((await weir.request('POST', `/api/v1/pipeline/${id}/rollback?revision=7`)).status).toBe(404);

  // Back where it started before any resume ran revision 2, so the resume keeps every container.
  await resume(id);
  expect(await containerIds(id)).toEqual(original);
});

/** The durable consumers of one of the pipeline's streams, by name. */
async function consumersOf(id: string, stream: string): Promise<string[]> {
  const connection = await connectAsWeir();
  try {
    const names: string[] = [];
    for await (const consumer of (await jetstreamManager(connection)).consumers.list(jetStreamName(id, stream))) names.push(consumer.name);
    return names.sort();
  } finally {
    await connection.close();
  }
}

test('an edit dropping a stream that still holds messages is refused naming it; once drained, the resume removes it', async () => {
  const MESSAGES = 50;
  const id = newPipelineId('edit');
  const threeStages: ComponentSpec[] = [
    { name: 'source', image: REFERENCE_COMPONENT_IMAGE, replicas: 1, output: 'raw', env: { SOURCE_COUNT: String(MESSAGES) } },
    { name: 'transform', image: REFERENCE_COMPONENT_IMAGE, replicas: 1, input: 'raw', output: 'clean' },
    { name: 'sink', image: REFERENCE_COMPONENT_IMAGE, replicas: 1, input: 'clean', env: { SINK_FILE: '/weir-data/sink.jsonl' } },
  ];
  const twoStages: ComponentSpec[] = [{ ...threeStages[0], output: 'clean' }, { ...threeStages[2] }];
  const created = weir.request('POST', '/api/v1/pipeline', { pipeline_id: id, name: 'Held', components: threeStages });
  const release = await holdConsumer(testNatsUrl(), id, 'raw', 'transform');
  expect((await created).status).toBe(201);
  weir.removeAtClose(id);
  await weir.healthReaches(id, 'Running');
  await eventually(
    () => streamFacts(testNatsUrl(), id, 'raw'),
    (facts) => facts.held === MESSAGES,
    60_000,
  );
  expect((await weir.request('POST', `/api/v1/pipeline/${id}/terminate`)).status).toBe(204);
  await weir.healthReaches(id, 'Stopped');

  const refused = await weir.request('PUT', `/api/v1/pipeline/${id}`, { name: 'Held', components: twoStages });
  expect([refused.status, refused.body.code, refused.body.details]).toEqual([
    409,
    'STREAMS_NOT_EMPTY',
    { streams: [{ stream: 'raw', messages: MESSAGES }] },
  ]);
  expect(refused.body.message).toContain(`stream raw still holds ${MESSAGES} unconsumed messages`);
  expect((await weir.request('GET', `/api/v1/pipeline/${id}`)).body.spec_revision).toBe(1);

  await release();
  await resume(id);
  await eventually(
    () => sinkDelivery(id, MESSAGES),
    (delivery) => delivery.missing.length === 0,
    60_000,
  );
  await stop(id);
  expect((await streamFacts(testNatsUrl(), id, 'raw')).held).toBe(0);
  const edited = await weir.request('PUT', `/api/v1/pipeline/${id}`, { name: 'Held', components: twoStages });
  expect([edited.status, edited.body.spec_revision]).toEqual([200, 2]);
  expect((await streamFacts(testNatsUrl(), id, 'raw')).streams.sort()).toEqual([`weir_${id}_clean`, `weir_${id}_raw`]);

  await resume(id);
  expect((await streamFacts(testNatsUrl(), id, 'clean')).streams).toEqual([`weir_${id}_clean`]);
  expect(await consumersOf(id, 'clean')).toEqual(['sink']);
  expect([...(await weir.containers(id)).keys()].sort()).toEqual([`weir-${id}-sink-0`, `weir-${id}-source-0`]);
});
