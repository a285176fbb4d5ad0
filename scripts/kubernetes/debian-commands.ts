import { canInstallDebianPackages, installDebianPackage } from '../apt';
import { findOnPath } from '../find-executable';

/** Makes sure `command` is on PATH, installing the Debian package that provides it when this machine allows it. */
export async function ensureDebianCommand(command: string, debianPackage: string, neededFor: string): Promise<void> {
  if (await findOnPath(command)) return;
  if (!(await canInstallDebianPackages())) {
    throw new Error(
      `\`${command}\` is needed for ${neededFor} and is not on PATH. Install it (Debian/Ubuntu: apt-get install ${debianPackage}), ` +
        'or run this as root on Debian/Ubuntu so it can be installed for you.',
    );
  }
  process.stderr.write(`installing ${debianPackage} (apt-get) for ${neededFor} ...\n`);
  await installDebianPackage(debianPackage);
}
