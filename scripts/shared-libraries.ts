import { runCommand } from './run-command';

/** Absolute paths of the shared libraries `binary` loads, dynamic loader included; none if it is static. */
export async function listSharedLibraries(binary: string): Promise<string[]> {
  let output: string;
  try {
    output = await runCommand('ldd', [binary]);
  } catch (error) {
    if ((error as Error).message.includes('not a dynamic executable')) return [];
    throw error;
  }
  const lines = output.split('\n');
  const missing = lines.filter((line) => line.includes('=> not found'));
  if (missing.length > 0) {
    throw new Error(`${binary} needs libraries this machine lacks:\n${missing.join('\n')}`);
  }
  // Lines look like "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)".
  return lines.flatMap((line) => /(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line)?.[1] ?? []);
}
