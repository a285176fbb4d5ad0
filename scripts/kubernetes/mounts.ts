import { readFile } from 'node:fs/promises';
import { runCommand } from '../run-command';

/** Unmounts whatever is mounted below `dir` (volumes the kubelet mounted, container root file systems), deepest first. */
export async function unmountBelow(dir: string): Promise<void> {
  const prefix = `${dir}/`;
  const mountInfo = await readFile('/proc/self/mountinfo', 'utf8');
  const mountPoints = mountInfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((mountPoint): mountPoint is string => mountPoint !== undefined)
    .map(decodeMountPath)
    .filter((mountPoint) => mountPoint.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
  for (const mountPoint of mountPoints) {
    await runCommand('umount', ['--lazy', mountPoint]).catch(() => {});
  }
}

/** mountinfo writes space, tab, newline and backslash in paths as octal escapes, e.g. \040. */
function decodeMountPath(encoded: string): string {
  return encoded.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
