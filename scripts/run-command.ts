import { execFile } from 'node:child_process';

const OUTPUT_LIMIT_BYTES = 64 * 1024 * 1024;
const ERROR_TAIL_CHARS = 2000;

/** Runs a command to completion and returns its stdout; the error carries the end of its output. */
export function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, maxBuffer: OUTPUT_LIMIT_BYTES }, (error, stdout, stderr) => {
      if (!error) {
        resolve(stdout);
        return;
      }
      const commandLine = [command, ...args].join(' ');
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error(`\`${command}\` was not found on PATH (needed for \`${commandLine}\`)`));
        return;
      }
      const output = `${stdout}${stderr}`.trim().slice(-ERROR_TAIL_CHARS);
      reject(new Error(`\`${commandLine}\` failed:\n${output}`));
    });
  });
}
