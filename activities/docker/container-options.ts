import type { ContainerCreateOptions } from 'dockerode';
import { processEnv, type RunnableComponent } from '../runnable-spec';
import { componentFingerprint } from '../component-fingerprint';
import { COMPONENT_LABEL, FINGERPRINT_LABEL, REPLICA_LABEL, containerName, pipelineLabels, volumeName } from './resource-names';

export const DATA_MOUNT_PATH = '/weir-data';

export interface ReplicaPlacement {
  pipelineId: string;
  component: RunnableComponent;
  replica: number;
  /** HostConfig.NetworkMode: the pipeline network's name, or a mode such as 'host'. */
  networkMode: string;
}

/** How to create the container of one replica: unprivileged, with the pipeline's volume as its only mount, and plain env and secret values both in its env. */
export function containerCreateOptions({
  pipelineId,
  component,
  replica,
  networkMode,
}: ReplicaPlacement): ContainerCreateOptions & { name: string } {
  return {
    name: containerName(pipelineId, component.name, replica),
    Image: component.image,
    Cmd: component.command,
    Env: Object.entries(processEnv(component)).map(([name, value]) => `${name}=${value}`),
    Labels: {
      ...pipelineLabels(pipelineId),
      [COMPONENT_LABEL]: component.name,
      [REPLICA_LABEL]: String(replica),
      [FINGERPRINT_LABEL]: componentFingerprint(component),
    },
    HostConfig: {
      NetworkMode: networkMode,
      Mounts: [{ Type: 'volume', Source: volumeName(pipelineId), Target: DATA_MOUNT_PATH }],
      // docker-init as PID 1 forwards SIGTERM to the component: the kernel drops signals to a PID 1 that has no handler.
      Init: true,
      Privileged: false,
      SecurityOpt: ['no-new-privileges'],
      RestartPolicy: { Name: 'no' },
    },
  };
}
