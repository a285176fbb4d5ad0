import { eventually } from '../../harness/eventually';
import { sinkDelivery, streamFacts, threeStageComponents } from '../../harness/pipeline-data';
import { useWeirSystem } from '../support/use-weir-system';
import { newPipelineId } from '../support/test-ids';

const MESSAGES = 20_000;
/** Paced, so that messages are still flowing through both scales. */
const SOURCE_RATE = 500;
const natsUrl = () => process.env.NATS_URL as string;

const weir = useWeirSystem();

/** Replicas of the transform whose containers run, by number. */
async function runningTransforms(id: string): Promise<string[]> {
  return [...(await weir.containers(id)).entries()]
    .filter(([name, info]) => name.startsWith(`weir-${id}-transform-`) && info.State.Running)
    .map(([name]) => name)
    .sort();
}

/** The exit code of every container of the pipeline that died, by name, from Docker's events. */
async function recordExits(id: string): Promise<{ exits: Map<string, string>; close: () => void }> {
  const exits = new Map<string, string>();
  const stream = (await weir.docker.getEvents({ filters: { label: [`weir.pipeline=${id}`], event: ['die'] } })) as NodeJS.ReadableStream;
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines.filter((candidate) => candidate.trim() !== '')) {
      const event = JSON.parse(line) as { Actor: { Attributes: Record<string, string> } };
      exits.set(event.Actor.Attributes.name, event.Actor.Attributes.exitCode);
    }
  });
  return { exits, close: () => (stream as unknown as { destroy(): void }).destroy() };
}

async function scaleTransform(id: string, replicas: number) {
  const accepted = (await streamFacts(natsUrl(), id, 'raw')).accepted;
  const startedAt = Date.now();
  const answer = await weir.request('PATCH', `/api/v1/pipeline/${id}/components/transform`, { replicas });
  expect([answer.status, answer.body.overall_status]).toEqual([200, 'Running']);
  await eventually(
    () => runningTransforms(id),
    (running) => running.length === replicas,
    60_000,
    100,
  );
  return { accepted, ms: Date.now() - startedAt };
}

test('scaling the transform 3→1 and 1→3 while 20,000 messages flow loses none; the removed replicas stop gracefully', async () => {
  const id = newPipelineId('lsl');
  const components = threeStageComponents(MESSAGES).map((component) => {
    if (component.name === 'source') return { ...component, env: { ...component.env, SOURCE_RATE: String(SOURCE_RATE) } };
    if (component.name === 'transform') return { ...component, replicas: 3 };
    return component;
  });
  expect((await weir.request('POST', '/api/v1/pipeline', { pipeline_id: id, name: `Live scale ${id}`, components })).status).toBe(201);
  weir.removeAtClose(id);
  await weir.healthReaches(id, 'Running');
  const dying = await recordExits(id);
  try {
    await eventually(
      () => streamFacts(natsUrl(), id, 'raw'),
      (facts) => facts.accepted >= MESSAGES / 5,
      120_000,
      100,
    );
    const down = await scaleTransform(id, 1);
    expect(await runningTransforms(id)).toEqual([`weir-${id}-transform-0`]);
    const up = await scaleTransform(id, 3);
    console.log(
      `live scale under load: 3→1 at ${down.accepted} of ${MESSAGES} published took ${down.ms} ms; ` +
        `1→3 at ${up.accepted} took ${up.ms} ms`,
    );
    // Both scales happened with messages still coming.
    expect(up.accepted).toBeLessThan(MESSAGES);

    const facts = await eventually(
      () => sinkDelivery(id, MESSAGES),
      (delivery) => delivery.missing.length === 0,
      180_000,
      1000,
    );
    console.log(`live scale under load: delivered ${facts.distinct} of ${MESSAGES}, 0 lost, ${facts.duplicates} duplicates`);
    expect(facts.distinct).toBe(MESSAGES);
    expect(facts.missing).toEqual([]);
    // Each removed replica finished what it held and exited on SIGTERM, before any SIGKILL.
    expect([dying.exits.get(`weir-${id}-transform-1`), dying.exits.get(`weir-${id}-transform-2`)]).toEqual(['0', '0']);
  } finally {
    dying.close();
  }
  const health = (await weir.request('GET', `/api/v1/pipeline/${id}/health`)).body;
  expect(health.overall_status).toBe('Running');
  expect(health.components.find((c: { name: string }) => c.name === 'transform')).toMatchObject({ desired_replicas: 3, ready_replicas: 3 });
  const history = (await weir.request('GET', `/api/v1/pipeline/${id}/history`)).body.transitions;
  expect(history.map((t: { command: string | null; to: string }) => `${t.command ?? '-'}→${t.to}`)).toEqual([
    '-→Running',
    'scale→Running',
    'scale→Running',
  ]);
  expect((await streamFacts(natsUrl(), id, 'raw')).held).toBe(0);
}, 480_000);
