import { progress } from './progress';

/** How long one pipeline took through each lifecycle step, in milliseconds. */
export interface LifecycleSample {
  createToRunningMs: number;
  stopToStoppedMs: number;
  resumeToRunningMs: number;
}

/**
 * Times each pipeline's lifecycle in turn, each one cleaned up before the next so they do not compete.
 * The first is a warm-up and is not kept.
 */
export async function sampleLifecycles(
  label: string,
  pipelineIds: string[],
  timeOne: (pipelineId: string) => Promise<LifecycleSample>,
  cleanUp: (pipelineId: string) => Promise<void>,
): Promise<LifecycleSample[]> {
  const samples: LifecycleSample[] = [];
  for (const [index, pipelineId] of pipelineIds.entries()) {
    try {
      const sample = await timeOne(pipelineId);
      if (index > 0) samples.push(sample);
    } finally {
      await cleanUp(pipelineId);
    }
    progress(`${label}: ${index === 0 ? 'warm-up done' : `${index} of ${pipelineIds.length - 1} timed`}`);
  }
  return samples;
}
