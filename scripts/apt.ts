import { findOnPath } from './find-executable';
import { runCommand } from './run-command';

let indexRefreshed: Promise<string> | undefined;

/** True when this process may install Debian packages itself. */
export async function canInstallDebianPackages(): Promise<boolean> {
  return process.getuid?.() === 0 && (await findOnPath('apt-get')) !== undefined;
}

export async function installDebianPackage(name: string): Promise<void> {
  indexRefreshed ??= runCommand('apt-get', ['update']);
  await indexRefreshed;
  await runCommand('apt-get', ['install', '-y', name], { ...process.env, DEBIAN_FRONTEND: 'noninteractive' });
}
