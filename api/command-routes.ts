import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { COMMANDS, isSettled, type Command } from '../pipeline/status-machine';
import type { CommandResult } from '../workflows/messages';
import { ApiError } from './api-error';
import type { ApiMetrics, CommandOutcome } from './metrics';
import { COMMAND_OUTCOME_HEADER, COMMAND_ROUTES } from './paths';
import type { Pipelines } from './pipeline-gateway';
import type { PipelineWatchers } from './pipeline-watchers';
import { healthBody } from './response-bodies';
import { PipelineIdSchema, WaitQuerySchema } from './schemas';
import { requestIdOf } from './request-id';
import { validated } from './validated';

export interface CommandRouteDependencies {
  gateway: Pipelines;
  watchers: PipelineWatchers;
  metrics: ApiMetrics;
}

const idParams = z.object({ id: PipelineIdSchema });

/**
 * Adds a route per command. Without `?wait` a command answers 204 once accepted (a delete once the pipeline is gone).
 * With `?wait=<s>` it answers once the pipeline has settled: 200 with its health (204 for a completed delete), or
 * 202 with its health when the wait runs out first.
 */
export function commandRoutes(router: Router, dependencies: CommandRouteDependencies): void {
  for (const command of COMMANDS) {
    const { method, path } = COMMAND_ROUTES[command];
    router[method](
      path,
      validated({ params: idParams, query: WaitQuerySchema }, async ({ params, query }, ctx) => {
        const { requestId } = requestIdOf(ctx);
        const waitMs = query.wait === undefined ? undefined : query.wait * 1000;
        if (command === 'delete' && waitMs !== undefined) return deleteWaiting(dependencies, params.id, requestId, waitMs, ctx);
        if (command !== 'delete' && waitMs !== undefined && waitMs > 0)
          return commandWaiting(dependencies, params.id, command, requestId, waitMs, ctx);
        // A delete answers once the pipeline is gone, so its end is followed from before it is sent.
        const unfollow = command === 'delete' ? dependencies.watchers.follow(params.id, Date.now(), 'gone') : undefined;
        const result = await measured(dependencies.metrics, command, () =>
          dependencies.gateway.command(params.id, command, requestId),
        ).catch((error: unknown) => {
          unfollow?.();
          throw error;
        });
        ctx.set(COMMAND_OUTCOME_HEADER, result.outcome);
        if (result.outcome === 'accepted' && command !== 'delete') dependencies.watchers.follow(params.id, Date.now());
        if (waitMs === undefined) {
          ctx.status = 204;
          return;
        }
        // A wait of 0 answers at once: 200 when the command left the pipeline settled, 202 otherwise.
        ctx.body = healthBody(await dependencies.gateway.get(params.id));
        ctx.status = isSettled(result.status) ? 200 : 202;
      }),
    );
  }
}

/**
 * A command under `?wait` other than delete: the workflow answers it once the pipeline settles, with the record to
 * answer with. Health of a Running pipeline shows the watch's report of each component, which only describe reads.
 */
async function commandWaiting(
  { gateway, metrics, watchers }: CommandRouteDependencies,
  pipelineId: string,
  command: Exclude<Command, 'delete'>,
  requestId: string,
  waitMs: number,
  ctx: Context,
) {
  const started = performance.now();
  const secondsSinceStart = () => (performance.now() - started) / 1000;
  // The metrics count a command until it is accepted, as without ?wait.
  let acceptedSeconds: number | undefined;
  const accepted = () => {
    acceptedSeconds = secondsSinceStart();
    watchers.follow(pipelineId, Date.now());
  };
  const answer = await gateway.commandUntilSettled(pipelineId, command, requestId, waitMs, accepted).catch((error: unknown) => {
    if (acceptedSeconds === undefined) metrics.command(command, outcomeOf(error), secondsSinceStart());
    else metrics.command(command, 'accepted', acceptedSeconds);
    throw error;
  });
  metrics.command(command, answer?.outcome ?? 'accepted', acceptedSeconds ?? secondsSinceStart());
  ctx.set(COMMAND_OUTCOME_HEADER, answer?.outcome ?? 'accepted');
  const settled = answer !== undefined && isSettled(answer.status);
  const answered = settled && answer.status !== 'Running' ? answer.record : undefined;
  ctx.body = healthBody(answered ?? (await gateway.get(pipelineId)));
  ctx.status = settled ? 200 : 202;
}

/** A delete under `?wait`: 204 once gone; 202 with health when the wait runs out; 200 with the Failed health when the removal failed. */
async function deleteWaiting(
  { gateway, metrics, watchers }: CommandRouteDependencies,
  pipelineId: string,
  requestId: string,
  waitMs: number,
  ctx: Context,
) {
  let result: CommandResult | undefined;
  const unfollow = watchers.follow(pipelineId, Date.now(), 'gone');
  try {
    result = await measured(metrics, 'delete', () => gateway.deleteWithin(pipelineId, requestId, waitMs));
  } catch (error) {
    // A removal that failed leaves the pipeline Failed; anything else means the delete was not carried out.
    const removalFailed =
      error instanceof ApiError && error.code === 'INTERNAL' && error.details !== undefined && 'failure' in error.details;
    if (!removalFailed) {
      unfollow();
      throw error;
    }
    ctx.set(COMMAND_OUTCOME_HEADER, 'accepted');
    ctx.body = healthBody(await gateway.get(pipelineId));
    ctx.status = 200;
    return;
  }
  ctx.set(COMMAND_OUTCOME_HEADER, result?.outcome ?? 'accepted');
  if (result) {
    ctx.status = 204;
    return;
  }
  ctx.body = healthBody(await gateway.get(pipelineId));
  ctx.status = 202;
}

/** Runs a command, counting it in the metrics by how it ended; a delete whose wait ran out counts as accepted. */
async function measured<T extends CommandResult | undefined>(metrics: ApiMetrics, command: Command, send: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const result = await send();
    metrics.command(command, result?.outcome ?? 'accepted', seconds());
    return result;
  } catch (error) {
    metrics.command(command, outcomeOf(error), seconds());
    throw error;
  }
}

function outcomeOf(error: unknown): CommandOutcome {
  if (!(error instanceof ApiError)) return 'failed';
  if (error.code === 'INVALID_TRANSITION') return 'refused';
  if (error.code === 'UNAVAILABLE') return 'unavailable';
  if (error.code === 'NOT_FOUND') return 'not_found';
  return 'failed';
}
