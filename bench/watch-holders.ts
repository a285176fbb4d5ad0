import type { Client } from '@temporalio/client';
import { watchAttempt, type WatchAttempt } from '../harness/watch-holders';
import { forEachConcurrently } from './waiting';

const DESCRIBE_CONCURRENCY = 16;

/** Each pipeline's watch attempt now, by pipeline id. */
export async function watchAttempts(client: Client, pipelineIds: readonly string[]): Promise<Map<string, WatchAttempt>> {
  const attempts = new Map<string, WatchAttempt>();
  const errors = await forEachConcurrently(pipelineIds, DESCRIBE_CONCURRENCY, async (pipelineId) => {
    attempts.set(pipelineId, await watchAttempt(client, pipelineId));
  });
  if (errors.length > 0) throw new Error(`${errors.length} describes failed; first: ${String(errors[0])}`);
  return attempts;
}

/** How many watches each worker holds; those no worker runs count under 'none'. */
export function holderCounts(attempts: Map<string, WatchAttempt>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { holder } of attempts.values()) counts.set(holder ?? 'none', (counts.get(holder ?? 'none') ?? 0) + 1);
  return counts;
}
