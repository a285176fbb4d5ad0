import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { build } from 'esbuild';
import { undefinedIfMissing } from '../activities/docker/docker-errors';
import { followProgress } from '../activities/docker/images';
import { writeAtomically } from './src/write-atomically';

/** Tells whether the image was built from the current bundle, Dockerfile and base image. */
const BUILD_INPUTS_LABEL = 'weir.build-inputs-sha256';
const BUNDLE = 'dist/component.js';
const DOCKERFILE = 'Dockerfile';

const REPOSITORY = 'weir/reference-component';
/** The name users write: it always points at the image last built on this engine. */
export const REFERENCE_COMPONENT_DEV_IMAGE = `${REPOSITORY}:dev`;
/**
 * What Weir's tests and benchmark run: a tag that carries a hash of the component's sources, so that checkouts with
 * different sources that share one engine each run their own build instead of rebuilding `:dev` back and forth.
 */
export const REFERENCE_COMPONENT_IMAGE = `${REPOSITORY}:dev-${sourcesHash().slice(0, 12)}`;

/**
 * Bundles the component into one file, then builds its image unless the engine has one built from the same inputs,
 * and points `:dev` at it.
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
  const [repo, tag] = REFERENCE_COMPONENT_DEV_IMAGE.split(':');
  await docker.getImage(REFERENCE_COMPONENT_IMAGE).tag({ repo, tag });
}

/** The sources the bundle is made of: the component's code, the Dockerfile and the locked dependency versions. */
function sourcesHash(): string {
  const hash = createHash('sha256');
  const sourceDir = path.join(__dirname, 'src');
  for (const name of readdirSync(sourceDir).sort()) hash.update(name).update(readFileSync(path.join(sourceDir, name)));
  return hash
    .update(readFileSync(path.join(__dirname, DOCKERFILE)))
    .update(readFileSync(path.join(__dirname, '..', 'package-lock.json')))
    .digest('hex');
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
