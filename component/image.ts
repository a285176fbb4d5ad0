import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { build } from 'esbuild';
import { undefinedIfMissing } from '../activities/docker/docker-errors';
import { followProgress } from '../activities/docker/images';
import { componentSourcesHash } from './sources-hash';
import { writeAtomically } from './src/write-atomically';

const REPOSITORY = 'weir/reference-component';
/** The image of this checkout's component sources; tests, the benchmark and the compose stack use this name. */
export const REFERENCE_COMPONENT_IMAGE = `${REPOSITORY}:src-${componentSourcesHash()}`;
const DEV_TAG = 'dev';
/** A stable name for people to type, as the docs' examples do: it points at the image last ensured on this engine. */
export const REFERENCE_COMPONENT_DEV_IMAGE = `${REPOSITORY}:${DEV_TAG}`;

/** Tells whether the image was built from the current bundle, Dockerfile and base image. */
const BUILD_INPUTS_LABEL = 'weir.build-inputs-sha256';
const BUNDLE = 'dist/component.js';
const DOCKERFILE = 'Dockerfile';

/**
 * Bundles the component into one file, then builds its image unless the engine has one built from the same inputs,
 * and points the `dev` tag at it.
 */
export async function ensureReferenceComponentImage(docker: Docker, baseImage?: string): Promise<void> {
  const bundle = await bundleComponent();
  await writeAtomically(path.join(__dirname, BUNDLE), bundle);
  const inputsHash = createHash('sha256')
    .update(bundle)
    .update(await readFile(path.join(__dirname, DOCKERFILE)))
    .update(baseImage ?? '')
    .digest('hex');
  if ((await builtInputsHash(docker)) !== inputsHash) {
    process.stderr.write(`building image ${REFERENCE_COMPONENT_IMAGE} ...\n`);
    await buildImage(docker, inputsHash, baseImage);
  }
  await docker.getImage(REFERENCE_COMPONENT_IMAGE).tag({ repo: REPOSITORY, tag: DEV_TAG });
}

async function bundleComponent(): Promise<Uint8Array> {
  const { outputFiles } = await build({
    entryPoints: [path.join(__dirname, 'src/main.ts')],
    outfile: path.join(__dirname, BUNDLE),
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  return outputFiles[0].contents;
}

async function builtInputsHash(docker: Docker): Promise<string | undefined> {
  const image = await undefinedIfMissing(docker.getImage(REFERENCE_COMPONENT_IMAGE).inspect());
  return image?.Config.Labels?.[BUILD_INPUTS_LABEL];
}

async function buildImage(docker: Docker, inputsHash: string, baseImage: string | undefined): Promise<void> {
  const progress = await docker.buildImage(
    { context: __dirname, src: [DOCKERFILE, BUNDLE] },
    {
      t: REFERENCE_COMPONENT_IMAGE,
      labels: { [BUILD_INPUTS_LABEL]: inputsHash },
      buildargs: baseImage === undefined ? {} : { BASE_IMAGE: baseImage },
      rm: true,
      forcerm: true,
    },
  );
  await followProgress(docker, progress).catch((error: Error) => {
    throw new Error(`docker build of ${REFERENCE_COMPONENT_IMAGE} failed: ${error.message}`);
  });
}
