import { NEXT_PAGE_TOKEN_HEADER } from '../api/pipeline-routes';
import { MAX_LIST_LIMIT } from '../api/schemas';
import type { HttpAnswer, WeirSystem } from '../harness/weir-system';
import type { ComponentSpec } from '../pipeline/pipeline-spec';
import type { Command, PipelineStatus } from '../pipeline/status-machine';
import { IDLE_COMPONENT } from './parameters';
import { messageOf, progress } from './progress';
import { sampleInTurn } from './samples-in-turn';
import { forEachConcurrently, pollUntil, timed, withTimeout } from './waiting';

const PIPELINES = '/api/v1/pipeline';
const REQUEST_TIMEOUT_MS = 15_000;
/** How long one pipeline may take to reach a status after a create or a command. */
export const STEP_TIMEOUT_MS = 60_000;
const REMOVAL_POLL_MS = 200;

/** Sends a request to Weir's API, giving up after REQUEST_TIMEOUT_MS. */
function request(system: WeirSystem, method: string, path: string, body?: unknown): Promise<HttpAnswer> {
  return withTimeout(system.request(method, path, body), REQUEST_TIMEOUT_MS, `${method} ${path}`);
}

function expectStatus(answer: HttpAnswer, expected: number, what: string): void {
  if (answer.status !== expected) throw new Error(`${what} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}

export async function createPipeline(
  system: WeirSystem,
  pipelineId: string,
  components: ComponentSpec[] = [IDLE_COMPONENT],
): Promise<void> {
  const spec = { pipeline_id: pipelineId, name: `Benchmark ${pipelineId}`, components };
  expectStatus(await request(system, 'POST', PIPELINES, spec), 201, `create ${pipelineId}`);
}

export async function sendCommand(system: WeirSystem, pipelineId: string, command: Exclude<Command, 'delete'>): Promise<void> {
  expectStatus(await request(system, 'POST', `${PIPELINES}/${pipelineId}/${command}`), 204, `${command} ${pipelineId}`);
}

interface Health {
  overall_status: PipelineStatus;
  failure: unknown;
  components: Array<{ name: string; desired_replicas: number; ready_replicas: number; state: string }>;
}

/** The pipeline's health as the API reports it; undefined once the pipeline is gone. */
export async function healthOf(system: WeirSystem, pipelineId: string): Promise<Health | undefined> {
  const answer = await request(system, 'GET', `${PIPELINES}/${pipelineId}/health`);
  if (answer.status === 404) return undefined;
  expectStatus(answer, 200, `health of ${pipelineId}`);
  return answer.body;
}

/** Polls health until the pipeline has `target`; fails early when it is Failed. */
export async function untilStatus(
  system: WeirSystem,
  pipelineId: string,
  target: PipelineStatus,
  pollMs: number,
  timeoutMs = STEP_TIMEOUT_MS,
): Promise<void> {
  const reached = (health: Awaited<ReturnType<typeof healthOf>>) => {
    if (target !== 'Failed' && health?.overall_status === 'Failed')
      throw new Error(`${pipelineId} failed: ${JSON.stringify(health.failure)}`);
    return health?.overall_status === target;
  };
  await pollUntil(() => healthOf(system, pipelineId), reached, pollMs, timeoutMs, `${pipelineId} reaching ${target}`);
}

/** How long from sending `command` until health shows `target`, in milliseconds. */
export function timeCommand(
  system: WeirSystem,
  pipelineId: string,
  command: Exclude<Command, 'delete'>,
  target: PipelineStatus,
  pollMs: number,
  timeoutMs = STEP_TIMEOUT_MS,
): Promise<number> {
  return timed(async () => {
    await sendCommand(system, pipelineId, command);
    await untilStatus(system, pipelineId, target, pollMs, timeoutMs);
  });
}

/**
 * How long from sending `command` with `?wait=` until the API answers that the pipeline settled in `target`, in
 * milliseconds: the documented way to learn that a command finished.
 */
export function timeWaitedCommand(
  system: WeirSystem,
  pipelineId: string,
  command: Exclude<Command, 'delete'>,
  target: PipelineStatus,
): Promise<number> {
  const what = `${command} ${pipelineId} with ?wait`;
  return timed(async () => {
    const answer = await request(system, 'POST', `${PIPELINES}/${pipelineId}/${command}?wait=${STEP_TIMEOUT_MS / 1000}`);
    expectStatus(answer, 200, what);
    if (answer.body?.overall_status !== target) throw new Error(`${what} settled in ${JSON.stringify(answer.body)}, not ${target}`);
  });
}

/** Polls health until exactly `replicas` of the component's replicas are ready and running; fails if the pipeline leaves Running. */
export async function untilReplicas(
  system: WeirSystem,
  pipelineId: string,
  component: string,
  replicas: number,
  pollMs: number,
  timeoutMs = STEP_TIMEOUT_MS,
): Promise<void> {
  const reached = (health: Health | undefined) => {
    if (health?.overall_status !== 'Running') throw new Error(`${pipelineId} is not Running: ${JSON.stringify(health)}`);
    const observed = health.components.find(({ name }) => name === component);
    return observed?.desired_replicas === replicas && observed.ready_replicas === replicas && observed.state === 'running';
  };
  await pollUntil(
    () => healthOf(system, pipelineId),
    reached,
    pollMs,
    timeoutMs,
    `${pipelineId} reaching ${replicas} ${component} replicas`,
  );
}

/** How long from sending a scale of `component` to `replicas` until health shows that many ready, in milliseconds. */
export function timeScale(system: WeirSystem, pipelineId: string, component: string, replicas: number, pollMs: number): Promise<number> {
  return timed(async () => {
    const answer = await request(system, 'PATCH', `${PIPELINES}/${pipelineId}/components/${component}`, { replicas });
    expectStatus(answer, 200, `scale ${pipelineId}/${component} to ${replicas}`);
    await untilReplicas(system, pipelineId, component, replicas, pollMs);
  });
}

/** How many of `pipelineIds` the list endpoint shows in each status, over every page. */
export async function statusCounts(system: WeirSystem, pipelineIds: ReadonlySet<string>): Promise<Map<PipelineStatus, number>> {
  const counts = new Map<PipelineStatus, number>();
  let pageToken: string | null = null;
  do {
    const query: string = `?limit=${MAX_LIST_LIMIT}${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ''}`;
    const answer = await request(system, 'GET', `${PIPELINES}${query}`);
    expectStatus(answer, 200, 'list');
    for (const { pipeline_id, overall_status } of answer.body as Array<{ pipeline_id: string; overall_status: PipelineStatus }>) {
      if (pipelineIds.has(pipeline_id)) counts.set(overall_status, (counts.get(overall_status) ?? 0) + 1);
    }
    pageToken = answer.headers.get(NEXT_PAGE_TOKEN_HEADER);
  } while (pageToken);
  return counts;
}

/**
 * Deletes pipelines through the API, terminating those not yet Stopped. Failures are reported, not thrown: the label
 * sweep at the end of the run removes whatever is left.
 */
export async function deletePipelines(system: WeirSystem, pipelineIds: readonly string[], concurrency: number): Promise<void> {
  const errors = await forEachConcurrently(pipelineIds, concurrency, async (pipelineId) => {
    const health = await healthOf(system, pipelineId);
    if (!health) return;
    if (health.overall_status !== 'Stopped') {
      await sendCommand(system, pipelineId, 'terminate');
      await untilStatus(system, pipelineId, 'Stopped', REMOVAL_POLL_MS);
    }
    expectStatus(await request(system, 'DELETE', `${PIPELINES}/${pipelineId}`), 204, `delete ${pipelineId}`);
  });
  if (errors.length > 0) {
    progress(`${errors.length} of ${pipelineIds.length} pipelines could not be deleted through the API; first: ${messageOf(errors[0])}`);
  }
}

/** sampleInTurn for pipelines created through Weir's API: each is deleted through the API once measured. */
export function sampleWeirPipelinesInTurn<T>(
  system: WeirSystem,
  label: string,
  pipelineIds: string[],
  measureOne: (pipelineId: string) => Promise<T>,
  warmUps = 0,
): Promise<T[]> {
  return sampleInTurn(label, pipelineIds, measureOne, (pipelineId) => deletePipelines(system, [pipelineId], 1), warmUps);
}
