import type Dockerode from 'dockerode';
import { checkImageReference } from '../../pipeline/image-reference';
import { ImageUnavailableError, InvalidSpecError, quoted } from '../errors';
import { undefinedIfMissing } from './docker-errors';
import { imageNamed } from './engine-paths';

/**
 * A pull that reports nothing for this long is given up. Pulls fail at once when the registry is unreachable,
 * but a black-holed network would otherwise hang the deploy.
 */
const PULL_STALL_TIMEOUT_MS = 10_000;

/** Why `image` must not reach the engine, as `image "<image>" <reason>`; undefined for a valid reference. */
export function imageProblem(image: unknown): string | undefined {
  const problem = typeof image === 'string' ? checkImageReference(image) : 'is not a string';
  return problem && `image ${quoted(image)} ${problem}`;
}

/** The reference as it may go into an engine request; throws when it is not a valid one. */
function checkedReference(image: string): string {
  const problem = imageProblem(image);
  if (problem) throw new Error(problem);
  return image;
}

/**
 * Makes sure the image is present locally, pulling it when allowed. Throws InvalidSpecError for an invalid
 * reference and ImageUnavailableError for an image that is not there.
 */
export async function ensureImage(docker: Dockerode, image: string, component: string, pullMissing: boolean): Promise<void> {
  const problem = imageProblem(image);
  if (problem) throw new InvalidSpecError(component, problem);
  if (await imageExists(docker, image)) return;
  if (!pullMissing) throw new ImageUnavailableError(component, image, 'pulling missing images is disabled');
  const pullFailure = await pullImage(docker, image).then(
    () => 'the pull finished without it',
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  if (await imageExists(docker, image)) return;
  throw new ImageUnavailableError(component, image, pullFailure);
}

export async function imageExists(docker: Dockerode, image: string): Promise<boolean> {
  return (await undefinedIfMissing(imageNamed(docker, checkedReference(image)).inspect())) !== undefined;
}

/** Pulls an image and follows its progress stream to the end; rejects on an error event or a stall. */
export async function pullImage(docker: Dockerode, image: string, stallTimeoutMs = PULL_STALL_TIMEOUT_MS): Promise<void> {
  const stall = new AbortController();
  let stallTimer: NodeJS.Timeout | undefined;
  const restartStallTimer = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => stall.abort(new Error(`the pull made no progress for ${stallTimeoutMs} ms`)), stallTimeoutMs);
  };
  restartStallTimer();
  try {
    const stream = await docker.pull(checkedReference(image), { abortSignal: stall.signal });
    await followProgress(docker, stream, restartStallTimer);
    // An aborted stream just ends, as if the pull had finished.
    stall.signal.throwIfAborted();
  } catch (error) {
    throw stall.signal.aborted ? stall.signal.reason : error;
  } finally {
    clearTimeout(stallTimer);
  }
}

interface ProgressEvent {
  error?: string;
}

/**
 * Follows the progress stream of a pull, build or import to its end. Docker reports a failure there as an
 * event with an `error`, not as a failed request, so such an event rejects too.
 */
export function followProgress(docker: Dockerode, stream: NodeJS.ReadableStream, onProgress?: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, events: ProgressEvent[]) => {
        const message = events?.find((event) => event.error)?.error;
        const failure = error ?? (message === undefined ? undefined : new Error(message));
        if (failure) reject(failure);
        else resolve();
      },
      onProgress,
    );
  });
}
