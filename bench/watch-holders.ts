import type { Client } from '@temporalio/client';
import { watchHolder } from '../harness/watch-holders';
import { forEachConcurrently } from './waiting';

const DESCRIBE_CONCURRENCY = 16;

/** Which worker runs each pipeline's watch now, by pipeline id: its identity, or undefined while no worker runs it. */
export async function watchHolders(client: Client, pipelineIds: readonly string[]): Promise<Map<string, string | undefined>> {
  const holders = new Map<string, string | undefined>();
  const errors = await forEachConcurrently(pipelineIds, DESCRIBE_CONCURRENCY, async (pipelineId) => {
    holders.set(pipelineId, await watchHolder(client, pipelineId));
  });
  if (errors.length > 0) throw new Error(`${errors.length} describes failed; first: ${String(errors[0])}`);
  return holders;
}

/** How many watches each worker holds; those no worker runs count under 'none'. */
export function holderCounts(holders: Map<string, string | undefined>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const holder of holders.values()) counts.set(holder ?? 'none', (counts.get(holder ?? 'none') ?? 0) + 1);
  return counts;
}
