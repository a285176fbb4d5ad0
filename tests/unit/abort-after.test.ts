import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { abortAfter } from '../../activities/abort-after';

describe('abortAfter', () => {
  test('aborts once its time is up', async () => {
    const timed = abortAfter(new AbortController().signal, 50);
    await new Promise((resolve) => timed.signal.addEventListener('abort', resolve, { once: true }));
    expect(String(timed.signal.reason)).toContain('timed out after 50 ms');
  });

  test("aborts with the parent's reason when the parent aborts first, and dispose stops the timer", async () => {
    const parent = new AbortController();
    const timed = abortAfter(parent.signal, 60_000);
    parent.abort('cancelled');
    expect(timed.signal.aborted).toBe(true);
    expect(timed.signal.reason).toBe('cancelled');
    timed.dispose();

    const disposed = abortAfter(new AbortController().signal, 20);
    disposed.dispose();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(disposed.signal.aborted).toBe(false);
  });

  test('a parent already aborted aborts it at once', () => {
    const parent = new AbortController();
    parent.abort('gone');
    expect(abortAfter(parent.signal, 60_000).signal.reason).toBe('gone');
  });

  test('fires although nothing but its listener refers to it while garbage collection runs', () => {
    // AbortSignal.any([parent, AbortSignal.timeout(ms)]) never fires here on Node 20: it is collected.
    const script = `
      const { abortAfter } = require('./activities/abort-after.ts');
      const parent = new AbortController().signal;
      const wait = () => {
        const { signal } = abortAfter(parent, 300);
        return new Promise((resolve) => signal.addEventListener('abort', () => resolve('fired'), { once: true }));
      };
      const collecting = setInterval(() => globalThis.gc(), 20);
      Promise.race([wait(), new Promise((resolve) => setTimeout(() => resolve('never fired'), 3000))]).then((outcome) => {
        clearInterval(collecting);
        process.stdout.write(outcome);
      });
    `;
    const outcome = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '-e', script], {
      cwd: path.resolve(__dirname, '..', '..'),
      encoding: 'utf8',
    });
    expect(outcome).toBe('fired');
  });
});
