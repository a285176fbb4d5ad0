import { PIPELINES } from '../api/paths';
import type { Command } from '../pipeline/status-machine';
import { commandRequest, componentLogsPath, componentPath, listPath, pipelinePath } from './api-paths';
import { CliError, EXIT, apiErrorMessage, type ApiErrorBody, type ExitCode } from './cli-error';
import { drainProgress } from './drain-progress';
import { serverSentEvents } from './event-stream';
import { eventLine, healthText, historyTable, pipelineText, summariesTable, type Health } from './render';
import { readSpecFile } from './spec-file';
import type { WeirClient } from './weir-client';

/** What every command gets: the API client, the output format and where to write. */
export interface CliContext {
  client: WeirClient;
  json: boolean;
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
}

const NEXT_PAGE_TOKEN_HEADER = 'weir-next-page-token';
const EVENT_STREAM = 'text/event-stream';
/** How long `--wait` without a number waits for a command to settle. */
export const DEFAULT_WAIT_SECONDS = 120;

function print(ctx: CliContext, body: unknown, text: () => string): void {
  ctx.out.write(ctx.json ? `${JSON.stringify(body, null, 2)}\n` : `${text()}\n`);
}

/**
 * Creates the pipeline the file describes, or, when one with its id exists, edits it (applied at its next resume);
 * with `rolling`, edits a Running one as a rolling edit.
 */
export async function apply(ctx: CliContext, file: string, rolling = false): Promise<ExitCode> {
  const spec = await readSpecFile(file);
  if (rolling) return edit(ctx, spec, true);
  const { status, body } = await ctx.client.json('POST', PIPELINES, { body: spec, accept: [201, 409] });
  if (status === 409 && body?.code === 'ALREADY_EXISTS') return edit(ctx, spec, false);
  if (status === 409) throw new CliError(apiErrorMessage(status, body as ApiErrorBody), EXIT.failed);
  print(ctx, body, () => `pipeline ${body.pipeline_id} created\n\n${pipelineText(body)}`);
  return EXIT.done;
}

/** A Running pipeline takes a rolling edit (202) and rolls it out; a Stopped or Failed one takes a plain edit (200). */
async function edit(ctx: CliContext, spec: unknown, rolling: boolean): Promise<ExitCode> {
  const id = (spec as { pipeline_id?: unknown } | null)?.pipeline_id;
  if (typeof id !== 'string') throw new CliError('an edit needs the pipeline_id of the pipeline to edit in the file', EXIT.usage);
  const path = rolling ? `${pipelinePath(id)}?apply=rolling` : pipelinePath(id);
  const { status, body } = await ctx.client.json('PUT', path, { body: spec, accept: rolling ? [200, 202] : [200] });
  const what =
    status === 202
      ? `pipeline ${body.pipeline_id}: rolling edit to revision ${body.rolling_edit} under way (drain, edit, resume)`
      : `pipeline ${body.pipeline_id} edited (revision ${body.spec_revision}); it is ${body.overall_status}, so the next resume applies it`;
  print(ctx, body, () => `${what}\n\n${pipelineText(body)}`);
  return EXIT.done;
}

/** Sets a component's replica count: live while Running, else an edit of it that the next resume applies. */
export async function scale(ctx: CliContext, id: string, component: string, replicas: number): Promise<ExitCode> {
  const { body } = await ctx.client.json('PATCH', componentPath(id, component), { body: { replicas } });
  print(
    ctx,
    body,
    () => `pipeline ${body.pipeline_id}: ${component} at ${replicas} replicas, revision ${body.spec_revision}\n\n${pipelineText(body)}`,
  );
  return EXIT.done;
}

export async function get(ctx: CliContext, id: string): Promise<ExitCode> {
  const { body } = await ctx.client.json('GET', pipelinePath(id));
  print(ctx, body, () => pipelineText(body));
  return EXIT.done;
}

/** Every page of the list, followed through the next-page token. */
export async function list(ctx: CliContext, options: { status?: string; pageSize: number }): Promise<ExitCode> {
  const summaries: unknown[] = [];
  let pageToken: string | undefined;
  do {
    const { body, headers } = await ctx.client.json('GET', listPath(options.status, options.pageSize, pageToken));
    summaries.push(...body);
    pageToken = headers.get(NEXT_PAGE_TOKEN_HEADER) ?? undefined;
  } while (pageToken);
  print(ctx, summaries, () => summariesTable(summaries as Parameters<typeof summariesTable>[0]));
  return EXIT.done;
}

export async function history(ctx: CliContext, id: string): Promise<ExitCode> {
  const { body } = await ctx.client.json('GET', pipelinePath(id, '/history'));
  print(ctx, body, () => historyTable(body.transitions));
  return EXIT.done;
}

/** Health once; with `watch`, again at every health event and transition, until the pipeline is deleted or the stream ends. */
export async function health(ctx: CliContext, id: string, watch: boolean): Promise<ExitCode> {
  const { body } = await ctx.client.json('GET', pipelinePath(id, '/health'));
  showHealth(ctx, body, watch);
  if (!watch) return EXIT.done;
  for await (const event of pipelineEvents(ctx, id)) {
    if (event.type === 'health') showHealth(ctx, event, watch);
    // The stream tells of a new status by its transition; the health view that goes with it is read anew.
    if (event.type === 'transition') showHealth(ctx, (await ctx.client.json('GET', pipelinePath(id, '/health'))).body, watch);
    if (event.type === 'deleted') ctx.out.write(ctx.json ? `${JSON.stringify(event)}\n` : `pipeline ${id} deleted\n`);
  }
  return EXIT.done;
}

function showHealth(ctx: CliContext, body: Health & { type?: string }, watch: boolean): void {
  if (watch && ctx.json) {
    const { type: _, ...view } = body;
    ctx.out.write(`${JSON.stringify(view)}\n`);
    return;
  }
  // A terminal shows the latest view in place; a file or pipe keeps every one.
  if (watch && ctx.out.isTTY) ctx.out.write('\x1b[2J\x1b[H');
  print(ctx, body, () => healthText(body));
  if (watch && !ctx.out.isTTY) ctx.out.write('\n');
}

export async function events(ctx: CliContext, id: string): Promise<ExitCode> {
  for await (const event of pipelineEvents(ctx, id)) ctx.out.write(ctx.json ? `${JSON.stringify(event)}\n` : `${eventLine(event)}\n`);
  return EXIT.done;
}

export async function logs(ctx: CliContext, id: string, component: string, options: { follow: boolean; tail: number }): Promise<ExitCode> {
  const query = new URLSearchParams({ tail: String(options.tail), follow: String(options.follow) });
  const body = await ctx.client.stream(componentLogsPath(id, component, query), 'text/plain');
  for await (const chunk of body) ctx.out.write(chunk);
  return EXIT.done;
}

/**
 * Sends a command. With `waitSeconds`, the API answers once the pipeline has settled (or the wait ran out), and a
 * stop shows its drain from the event stream meanwhile.
 */
export async function runCommand(ctx: CliContext, command: Command, id: string, waitSeconds: number | undefined): Promise<ExitCode> {
  const query = new URLSearchParams(waitSeconds === undefined ? {} : { wait: String(waitSeconds) });
  const { method, path } = commandRequest(id, command, query);
  if (waitSeconds === undefined) {
    const { headers } = await ctx.client.json(method, path, { accept: [204] });
    const outcome = headers.get('weir-command-outcome') ?? 'accepted';
    print(ctx, { pipeline_id: id, command, outcome }, () =>
      command === 'delete' ? `pipeline ${id} deleted` : `${command} ${outcome}: pipeline ${id}`,
    );
    return EXIT.done;
  }
  const watching = command === 'stop' ? showDrain(ctx, id) : undefined;
  try {
    const answer = await ctx.client.json(method, path, { accept: [200, 202, 204] });
    return settled(ctx, command, id, waitSeconds, answer.status, answer.body);
  } finally {
    watching?.stop();
  }
}

function settled(ctx: CliContext, command: Command, id: string, waitSeconds: number, status: number, body: Health | undefined): ExitCode {
  if (status === 204) {
    if (command !== 'delete')
      throw new CliError(`the API at ${ctx.client.url} accepted the ${command} but does not wait (it predates ?wait=)`, EXIT.failed);
    print(ctx, { pipeline_id: id, command, outcome: 'deleted' }, () => `pipeline ${id} deleted`);
    return EXIT.done;
  }
  print(ctx, body, () => healthText(body!));
  if (status === 202) {
    ctx.err.write(`weir: pipeline ${id} is still ${body?.overall_status} after ${waitSeconds} s\n`);
    return EXIT.failed;
  }
  return body?.overall_status === 'Failed' ? EXIT.failed : EXIT.done;
}

/** Drain progress from the event stream until stopped; an API without the stream just shows none. */
function showDrain(ctx: CliContext, id: string): { stop(): void } {
  const abort = new AbortController();
  const progress = drainProgress(ctx.err);
  void (async () => {
    for await (const event of pipelineEvents(ctx, id, abort.signal)) if (event.type === 'drain') progress.update(event.unfinished ?? {});
  })().catch(() => undefined);
  return {
    stop: () => {
      abort.abort();
      progress.stop();
    },
  };
}

async function* pipelineEvents(ctx: CliContext, id: string, signal?: AbortSignal): AsyncGenerator<any> {
  const body = await ctx.client.stream(pipelinePath(id, '/events'), EVENT_STREAM, signal);
  yield* serverSentEvents(body);
}
