import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { JsMsg } from '@nats-io/jetstream';
import type { FailureReporter } from './failure-reporter';
import type { Sink } from './sink-types';

/** Appends one JSON line per message, synced to disk before the batch is acked. */
export async function openFileSink(filePath: string, writeFailures: FailureReporter): Promise<Sink> {
  await mkdir(path.dirname(filePath), { recursive: true });
  const file = await open(filePath, 'a+');
  await endLastLine(file);
  return {
    async write(messages) {
      const settlement = await writeFailures.settle(async () => {
        await file.appendFile(messages.map(jsonLine).join(''));
        await file.datasync();
      });
      return messages.map(() => settlement);
    },
    close: () => file.close(),
  };
}

/** A component killed mid-write leaves a partial line; new lines must not be glued to it. */
async function endLastLine(file: FileHandle): Promise<void> {
  const { size } = await file.stat();
  if (size === 0) return;
  const { buffer } = await file.read(Buffer.alloc(1), 0, 1, size - 1);
  if (buffer[0] !== '\n'.charCodeAt(0)) await file.appendFile('\n');
}

/** The message as compact JSON, or as a JSON string when it is not JSON. */
function jsonLine(message: JsMsg): string {
  const text = message.string();
  try {
    return `${JSON.stringify(JSON.parse(text))}\n`;
  } catch {
    return `${JSON.stringify(text)}\n`;
  }
}
