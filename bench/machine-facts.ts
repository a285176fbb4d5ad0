import type Docker from 'dockerode';
import os from 'node:os';
import { runCommand } from '../scripts/run-command';

export interface MachineFacts {
  cpus: string;
  memory: string;
  os: string;
  node: string;
  docker: string;
  temporal: string;
}

export async function machineFacts(docker: Docker, temporalCli: string): Promise<MachineFacts> {
  const cpus = os.cpus();
  const [{ Version: dockerVersion }, temporalVersion] = await Promise.all([docker.version(), runCommand(temporalCli, ['--version'])]);
  return {
    cpus: `${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    docker: `server ${dockerVersion}`,
    temporal: temporalVersion.trim(),
  };
}
