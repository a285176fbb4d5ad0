import { execFileSync } from 'node:child_process';
import Docker from 'dockerode';
import { imageExists } from '../../activities/docker/images';

/** An image that is healthy only while /tmp/ready exists, so a test decides when a component becomes ready. */
export const HEALTH_GATED_IMAGE = 'weir-test/health-gated:1';

const HEALTH_GATED_DOCKERFILE = ['FROM busybox:latest', 'HEALTHCHECK --interval=1s --timeout=1s --retries=1 CMD test -f /tmp/ready'].join(
  '\n',
);

export async function ensureHealthGatedImage(docker = new Docker()): Promise<void> {
  if (await imageExists(docker, HEALTH_GATED_IMAGE)) return;
  execFileSync('docker', ['build', '-q', '-t', HEALTH_GATED_IMAGE, '-'], {
    input: HEALTH_GATED_DOCKERFILE,
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    stdio: ['pipe', 'ignore', 'inherit'],
  });
}

/** A command for HEALTH_GATED_IMAGE that is ready on its first start only, so a resume never completes. */
export const READY_ON_FIRST_START_ONLY = [
  'sh',
  '-c',
  'rm -f /tmp/ready; if [ ! -f /weir-data/started ]; then touch /weir-data/started /tmp/ready; fi; exec sleep 3600',
];
