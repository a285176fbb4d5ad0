import { progress } from './progress';

/**
 * Measures one pipeline after another, each cleaned up before the next so they do not compete.
 * The first `warmUps` are not kept.
 */
export async function sampleInTurn<T>(
  label: string,
  pipelineIds: string[],
  measureOne: (pipelineId: string) => Promise<T>,
  cleanUp: (pipelineId: string) => Promise<void>,
  warmUps = 0,
): Promise<T[]> {
  const samples: T[] = [];
  for (const [index, pipelineId] of pipelineIds.entries()) {
    try {
      const sample = await measureOne(pipelineId);
      if (index >= warmUps) samples.push(sample);
    } finally {
      await cleanUp(pipelineId);
    }
    progress(`${label}: ${index < warmUps ? 'warm-up done' : `${index - warmUps + 1} of ${pipelineIds.length - warmUps} done`}`);
  }
  return samples;
}
