import { readFile } from 'node:fs/promises';
import path from 'node:path';
import './test-services';

export default async function globalTeardown(): Promise<void> {
  await globalThis.weirTestKubernetes?.stop();
  globalThis.weirTestKubernetes = undefined;
  const started = globalThis.weirTestServices;
  if (!started) return;
  await reportNatsProblems(path.join(started.workDir, 'nats.log'));
  await started.stop();
  globalThis.weirTestServices = undefined;
}

/**
 * NATS tells a client only "error creating store for stream" and logs the cause,
 * so its warnings are printed before the log is removed with the work folder.
 */
async function reportNatsProblems(logFile: string): Promise<void> {
  const log = await readFile(logFile, 'utf8').catch(() => '');
  const problems = log.split('\n').filter((line) => /\[(WRN|ERR)\]/.test(line));
  if (problems.length === 0) return;
  console.warn(`NATS logged ${problems.length} warnings or errors during the tests; the last ones:\n${problems.slice(-20).join('\n')}`);
}
