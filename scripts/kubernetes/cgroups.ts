import { mkdir, readdir, readFile, rmdir } from 'node:fs/promises';
import path from 'node:path';

/** Where each cgroup hierarchy (v1 controller or v2) is mounted, from /proc/self/mounts. */
async function cgroupMounts(): Promise<string[]> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  return mounts
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([, , type]) => type === 'cgroup' || type === 'cgroup2')
    .map(([, mountPoint]) => mountPoint);
}

/** Creates the cgroup `name` (e.g. "/weir-abc") in every hierarchy, as the kubelet wants its cgroup root to exist. */
export async function createCgroup(name: string): Promise<void> {
  for (const mount of await cgroupMounts()) await mkdir(path.join(mount, name), { recursive: true });
}

/** Removes the cgroup `name` and the ones below it, deepest first; a cgroup that still has processes stays. */
export async function removeCgroup(name: string): Promise<void> {
  for (const mount of await cgroupMounts()) await removeTree(path.join(mount, name));
}

async function removeTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory()) await removeTree(path.join(dir, entry.name));
  }
  await rmdir(dir).catch(() => {});
}
