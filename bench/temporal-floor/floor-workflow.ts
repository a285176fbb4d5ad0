import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { FloorActivities } from './floor-activities';

export const stopUpdate = defineUpdate<void, [string]>('stop');

const { stopContainer } = proxyActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });

/** The least a Temporal stop can be: an update whose handler runs one activity and completes when it does. */
export async function stopFloorWorkflow(): Promise<void> {
  let stopped = false;
  setHandler(stopUpdate, async (containerId) => {
    await stopContainer(containerId);
    stopped = true;
  });
  await condition(() => stopped);
}
