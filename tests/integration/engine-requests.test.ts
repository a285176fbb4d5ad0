import { once } from 'node:events';
import net from 'node:net';
import Docker from 'dockerode';
import { imageNamed } from '../../activities/docker/engine-paths';
import { refuseEngineRedirects } from '../../activities/docker/engine-redirects';
import { HEALTH_GATED_IMAGE, ensureHealthGatedImage } from '../support/test-images';

const docker = new Docker();
let listener: net.Server;
const received: string[] = [];

beforeAll(async () => {
  refuseEngineRedirects();
  listener = net.createServer((socket) => {
    received.push('connection');
    socket.end();
  });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  await ensureHealthGatedImage(docker);
});

afterAll(() => {
  listener.close();
});

test('an engine redirect fails the request it answers, and no request follows it elsewhere', async () => {
  const { port } = listener.address() as net.AddressInfo;
  // Unchecked names whose paths the engine cleans with a 301 to a Location that names another host or no valid URL.
  for (const name of ['../../etc/passwd', 'busybox/../../../v1.40/containers/json', `../../127.0.0.1:${port}/probe`]) {
    await expect(docker.getImage(name).inspect()).rejects.toThrow(/redirects/);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(received).toEqual([]);
});

test('encoded names with a registry, a path and a tag reach the engine as the same image', async () => {
  const [plain, encoded] = await Promise.all([
    docker.getImage(HEALTH_GATED_IMAGE).inspect(),
    imageNamed(docker, HEALTH_GATED_IMAGE).inspect(),
  ]);
  expect(encoded.Id).toBe(plain.Id);
  expect((await imageNamed(docker, 'busybox:latest').inspect()).RepoTags).toContain('busybox:latest');
  await expect(imageNamed(docker, 'weir-test/absent:1').inspect()).rejects.toMatchObject({ statusCode: 404 });
});
