import Docker from 'dockerode';
import { DATA_MOUNT_PATH } from '../../activities/docker/container-options';
import { demultiplexLogs } from '../../activities/docker/container-logs';
import { REFERENCE_COMPONENT_IMAGE } from '../../component/image';
import { eventually } from '../../harness/eventually';

export interface LogEvent {
  event: string;
  [field: string]: unknown;
}

/** Starts the reference component image on the host network with `env`, its /weir-data on `dataDir` when given. */
export async function startReferenceContainer(
  docker: Docker,
  env: Record<string, string | number | undefined>,
  dataDir?: string,
): Promise<Docker.Container> {
  const container = await docker.createContainer({
    Image: REFERENCE_COMPONENT_IMAGE,
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    Labels: { 'weir.test': 'reference-component' },
    HostConfig: { NetworkMode: 'host', Init: true, Binds: dataDir === undefined ? [] : [`${dataDir}:${DATA_MOUNT_PATH}`] },
  });
  await container.start();
  return container;
}

export async function exitCodeOf(container: Docker.Container): Promise<number> {
  const { StatusCode } = (await container.wait()) as { StatusCode: number };
  return StatusCode;
}

/** The component's JSON log lines, parsed. */
export async function logEvents(container: Docker.Container): Promise<LogEvent[]> {
  const output = demultiplexLogs(await container.logs({ stdout: true, stderr: true, follow: false }));
  return output
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogEvent);
}

export function waitForEvent(container: Docker.Container, event: string): Promise<LogEvent[]> {
  return eventually(
    () => logEvents(container),
    (events) => events.some((logged) => logged.event === event),
  );
}

export function lastEvent(events: LogEvent[], event: string): LogEvent | undefined {
  return events.filter((logged) => logged.event === event).at(-1);
}
