import { errors } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type Docker from 'dockerode';
import { REFERENCE_COMPONENT_IMAGE } from '../../component/image';
import { ComposeStack, pipelineLeftovers, removePipelineLeftovers } from '../support/compose-stack';
import { expectLifecycle } from '../support/expect-lifecycle';
import { newPipelineId } from '../support/test-ids';

const STACK_TIMEOUT_MS = 300_000;
const MESSAGES = 20;

let stack: ComposeStack;
const pipelines = new Set<string>();

beforeAll(async () => {
  stack = await ComposeStack.create(`weir-compose-${Date.now().toString(36)}`);
  await stack.up();
}, STACK_TIMEOUT_MS);

afterAll(async () => {
  if (!stack) return;
  for (const id of pipelines) await removePipelineLeftovers(stack.docker, id);
  await stack.down();
}, STACK_TIMEOUT_MS);

/** A source that publishes MESSAGES messages into a stream, and a sink that writes them to the pipeline's volume. */
const flow = (pipelineId: string) => ({
  pipeline_id: pipelineId,
  name: `Compose ${pipelineId}`,
  components: [
    { name: 'source', image: REFERENCE_COMPONENT_IMAGE, output: 'events', env: { SOURCE_COUNT: String(MESSAGES) } },
    { name: 'sink', image: REFERENCE_COMPONENT_IMAGE, input: 'events' },
  ],
});

async function containers(pipelineId: string): Promise<Docker.ContainerInspectInfo[]> {
  const list = await stack.docker.listContainers({ all: true, filters: { label: [`weir.pipeline=${pipelineId}`] } });
  const inspected = await Promise.all(list.map(({ Id }) => stack.docker.getContainer(Id).inspect()));
  return inspected.sort((a, b) => a.Name.localeCompare(b.Name));
}

const states = async (pipelineId: string) =>
  (await containers(pipelineId)).map(({ Name, State }) => [Name.replace(/^\//, ''), State.Running, State.ExitCode]);

/** The component's log events through the API, which reads them from Docker. */
async function logEvents(pipelineId: string, component: string): Promise<Record<string, unknown>[]> {
  const answer = await stack.request('GET', `/api/v1/pipeline/${pipelineId}/components/${component}/logs?tail=50`);
  expect(answer.status).toBe(200);
  return (answer.body as string)
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line.replace(/^\[0\] /, '')) as Record<string, unknown>);
}

test('NATS in the stack admits only users that Weir signs', async () => {
  await expect(connect({ servers: stack.natsUrl, reconnect: false })).rejects.toBeInstanceOf(errors.AuthorizationError);
});

test(
  "a pipeline goes through its lifecycle over the stack's API, its components reaching NATS by service name on the stack's network",
  async () => {
    const id = newPipelineId('compose');
    pipelines.add(id);
    const created = await stack.request('POST', '/api/v1/pipeline', flow(id));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ pipeline_id: id, overall_status: 'Created' });

    await stack.healthReaches(id, 'Running');
    expect(await states(id)).toEqual([
      [`weir-${id}-sink-0`, true, 0],
      [`weir-${id}-source-0`, true, 0],
    ]);
    for (const container of await containers(id)) {
      expect(container.HostConfig.NetworkMode).toBe(stack.networkName);
      expect(container.Config.Env).toContain('NATS_URL=nats://nats:4222');
      expect(container.Config.Env.some((variable) => variable.startsWith('WEIR_NATS_CREDS=-----BEGIN NATS USER JWT-----'))).toBe(true);
    }

    await expectLifecycle(stack, id, {
      // Drained: both exited on SIGTERM with 0, and the sink had every message through NATS.
      stopped: async () => {
        expect(await states(id)).toEqual([
          [`weir-${id}-sink-0`, false, 0],
          [`weir-${id}-source-0`, false, 0],
        ]);
        expect(await logEvents(id, 'sink')).toContainEqual(expect.objectContaining({ event: 'stopped', acked: MESSAGES }));
      },
      resumed: async () => expect((await states(id)).map(([, running]) => running)).toEqual([true, true]),
      terminated: async () =>
        expect(await states(id)).toEqual([
          [`weir-${id}-sink-0`, false, 137],
          [`weir-${id}-source-0`, false, 137],
        ]),
    });
    expect(await pipelineLeftovers(stack.docker, id)).toEqual({ containers: [], networks: [], volumes: [] });
  },
  STACK_TIMEOUT_MS,
);

test(
  'taking the stack down leaves none of its containers, its network or its volumes',
  async () => {
    const before = await stack.leftovers();
    expect(before.containers.length).toBe(6);
    expect(before.networks).toEqual([stack.networkName]);
    expect(before.volumes.sort()).toEqual(
      ['nats-auth', 'nats-data', 'node-modules', 'temporal-data'].map((volume) => `${stack.project}_${volume}`),
    );

    await stack.down();
    expect(await stack.leftovers()).toEqual({ containers: [], networks: [], volumes: [] });
  },
  STACK_TIMEOUT_MS,
);
