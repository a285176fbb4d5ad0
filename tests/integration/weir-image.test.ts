import Docker from 'dockerode';
import { eventually } from '../../harness/eventually';
import { findFreePort } from '../../scripts/ports';
import { WEIR_IMAGE, buildWeirImage } from '../../scripts/weir-image';

/** Sending node_modules to the engine takes minutes on a busy 2-core machine. */
const BUILD_TIMEOUT_MS = 15 * 60 * 1000;
const START_TIMEOUT_MS = 180_000;
const docker = new Docker();
const containers: Docker.Container[] = [];

beforeAll(async () => {
  await buildWeirImage(docker);
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  for (const container of containers) await container.remove({ force: true });
});

async function run(cmd: string[] | undefined, env: string[]): Promise<Docker.Container> {
  const container = await docker.createContainer({ Image: WEIR_IMAGE, Cmd: cmd, Env: env, HostConfig: { NetworkMode: 'host' } });
  containers.push(container);
  await container.start();
  return container;
}

async function output(container: Docker.Container): Promise<string> {
  return (await container.logs({ stdout: true, stderr: true, follow: false })).toString('utf8');
}

test(
  `${WEIR_IMAGE} runs the API by default, as nobody, and it answers /healthz`,
  async () => {
    const port = await findFreePort();
    const api = await run(undefined, [`WEIR_API_PORT=${port}`, 'WEIR_NATS_AUTH=none']);
    const response = await eventually(
      () => fetch(`http://127.0.0.1:${port}/healthz`),
      (answer) => answer.status === 200,
      START_TIMEOUT_MS,
      1000,
    );
    expect(await response.json()).toMatchObject({ status: 'ok' });
    expect(await output(api)).toContain('"msg":"API listening"');
    expect((await api.inspect()).Config.User).toBe('65534:65534');
  },
  START_TIMEOUT_MS,
);

test(
  `${WEIR_IMAGE} runs the worker when given worker/main.ts, and the worker checks its configuration first`,
  async () => {
    const worker = await run(['worker/main.ts'], ['WEIR_ORCHESTRATOR=kubernetes', 'WEIR_NATS_AUTH=none']);
    const { StatusCode } = (await worker.wait()) as { StatusCode: number };
    expect(StatusCode).toBe(1);
    expect(await output(worker)).toContain('WEIR_ORCHESTRATOR=kubernetes needs a kubeconfig');
  },
  START_TIMEOUT_MS,
);
