import type Docker from 'dockerode';
import { readVolumeFile, sequenceCounts } from '../tests/support/pipeline-data';
import { SINK_FILE } from './three-stage-pipeline';

/** What the sink file holds of the source's sequence numbers 1..expected. */
export interface SinkDelivery {
  distinct: number;
  duplicates: number;
  missing: number;
}

export async function sinkDelivery(docker: Docker, pipelineId: string, expected: number): Promise<SinkDelivery> {
  const counts = sequenceCounts(await readVolumeFile(pipelineId, SINK_FILE, docker));
  let duplicates = 0;
  for (const times of counts.values()) duplicates += times - 1;
  let missing = 0;
  for (let seq = 1; seq <= expected; seq++) if (!counts.has(seq)) missing++;
  return { distinct: counts.size, duplicates, missing };
}
