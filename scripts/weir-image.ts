import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { followProgress } from '../activities/docker/images';
import { ensureNodeImage } from './compose-images';
import { ensureLocalImages } from './local-images';
import { repoRoot } from './repo-paths';

/** The image deploy/kubernetes/ runs. */

export const WEIR_IMAGE = 'weir:latest';

/**
 * Builds WEIR_IMAGE from the repository and its node_modules on `baseImage`, or else on a Node image made from this
 * machine's own binaries (local/weir-node), so no registry is needed. Returns the base it used.
 */
export async function buildWeirImage(docker: Docker, baseImage?: string): Promise<string> {
  let base = baseImage;
  if (base === undefined) {
    await ensureLocalImages();
    base = await ensureNodeImage(docker);
  }
  process.stderr.write(`building image ${WEIR_IMAGE} on ${base} ...\n`);
  const progress = await docker.buildImage(
    { context: repoRoot, src: await contextEntries() },
    { t: WEIR_IMAGE, buildargs: { BASE_IMAGE: base }, rm: true, forcerm: true },
  );
  await followProgress(docker, progress).catch((error: Error) => {
    throw new Error(`docker build of ${WEIR_IMAGE} failed: ${error.message}`);
  });
  return base;
}

/** The repository's top-level entries that .dockerignore leaves in, as `docker build .` would send them. */
async function contextEntries(): Promise<string[]> {
  const ignored = new Set(
    (await readFile(path.join(repoRoot, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#')),
  );
  const entries = await readdir(repoRoot);
  return entries.filter((entry) => !ignored.has(entry));
}
