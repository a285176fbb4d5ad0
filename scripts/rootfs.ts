import { chmod, copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from './run-command';
import { listSharedLibraries } from './shared-libraries';

/** The bare minimum most programs expect: users, a home for root and a world-writable /tmp. */
export async function addBaseFiles(rootfs: string): Promise<void> {
  await mkdir(path.join(rootfs, 'etc'), { recursive: true });
  await mkdir(path.join(rootfs, 'root'), { recursive: true });
  await writeFile(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(path.join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  const tmp = path.join(rootfs, 'tmp');
  await mkdir(tmp, { recursive: true });
  // Set after mkdir because the umask would drop bits from mkdir's mode.
  await chmod(tmp, 0o1777);
}

/** Copies an executable to `target` inside the rootfs, with its shared libraries at their host paths. */
export async function addExecutable(rootfs: string, source: string, target: string): Promise<void> {
  await addSharedLibraries(rootfs, source);
  await copyInto(rootfs, source, target);
  await chmod(path.join(rootfs, target), 0o755);
}

/** Copies the shared libraries that `binary` (an executable or a native addon) loads, at their host paths. */
export async function addSharedLibraries(rootfs: string, binary: string): Promise<void> {
  for (const library of await listSharedLibraries(binary)) {
    await copyInto(rootfs, library, library);
  }
}

/** Installs busybox as /bin/busybox and links every applet it has (sh, sleep, wget, ...) to it. */
export async function addBusybox(rootfs: string, busybox: string): Promise<void> {
  await addExecutable(rootfs, busybox, '/bin/busybox');
  // One applet path per line, relative to /, e.g. "bin/sh" or "usr/bin/wget".
  const applets = (await runCommand(busybox, ['--list-full'])).split('\n').filter(Boolean);
  for (const applet of applets) {
    if (applet === 'bin/busybox') continue;
    const link = path.join(rootfs, applet);
    await mkdir(path.dirname(link), { recursive: true });
    await symlink('/bin/busybox', link);
  }
}

async function copyInto(rootfs: string, source: string, target: string): Promise<void> {
  const destination = path.join(rootfs, target);
  await mkdir(path.dirname(destination), { recursive: true });
  await copyFile(source, destination);
}
