import type Docker from 'dockerode';

export interface FloorActivities {
  stopContainer(containerId: string): Promise<void>;
}

/** The raw Docker stop, as an activity. */
export function createFloorActivities(docker: Docker, graceSeconds: number): FloorActivities {
  return {
    async stopContainer(containerId) {
      await docker.getContainer(containerId).stop({ t: graceSeconds });
    },
  };
}
