import { readFile, writeFile } from 'node:fs/promises';

/** The sysctls a kubelet sets on start-up to the values it expects (kubelet's setupKernelTunables). */
const KUBELET_TUNABLES = [
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
];

/** Reads the kubelet's tunables now; the function returned writes back those that changed since. */
export async function saveKernelTunables(): Promise<() => Promise<void>> {
  const saved = new Map<string, string>();
  for (const name of KUBELET_TUNABLES) {
    const value = await readTunable(name);
    if (value !== undefined) saved.set(name, value);
  }
  return async () => {
    for (const [name, value] of saved) {
      if ((await readTunable(name)) === value) continue;
      await writeFile(`/proc/sys/${name}`, value).catch((error: Error) => {
        process.stderr.write(`could not restore the sysctl ${name.replaceAll('/', '.')}=${value}: ${error.message}\n`);
      });
    }
  };
}

async function readTunable(name: string): Promise<string | undefined> {
  return (await readFile(`/proc/sys/${name}`, 'utf8').catch(() => undefined))?.trim();
}
