import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FailureReporter } from './failure-reporter';
import { writeAtomically } from './write-atomically';

const SAVE_EVERY_ACKS = 100;

/**
 * The highest sequence number up to which every generated message is acknowledged, kept in a file so that a
 * restarted source resumes after it. Messages acknowledged beyond it are published again after a restart;
 * JetStream's duplicate window drops them by their message id.
 */
export class SourceProgress {
  private readonly ackedAhead = new Set<number>();
  private savedSeq: number;
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private ackedSeq: number,
    private readonly saveFailures: FailureReporter,
  ) {
    this.savedSeq = ackedSeq;
  }

  static async load(file: string, saveFailures: FailureReporter): Promise<SourceProgress> {
    await mkdir(path.dirname(file), { recursive: true });
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '0';
      throw error;
    });
    const seq = Number(text.trim());
    if (!Number.isSafeInteger(seq) || seq < 0) throw new Error(`${file} holds no sequence number: "${text}"`);
    return new SourceProgress(file, seq, saveFailures);
  }

  get lastAcked(): number {
    return this.ackedSeq;
  }

  acked(seq: number): void {
    this.ackedAhead.add(seq);
    while (this.ackedAhead.delete(this.ackedSeq + 1)) this.ackedSeq++;
    if (this.ackedSeq - this.savedSeq >= SAVE_EVERY_ACKS) void this.save();
  }

  /** Resolves once the file holds the current progress; a failed write is reported, not thrown. */
  save(): Promise<void> {
    const seq = this.ackedSeq;
    this.savedSeq = seq;
    this.saving = this.saving
      .then(() => writeAtomically(this.file, `${seq}\n`))
      .then(
        () => this.saveFailures.succeeded(),
        (error: unknown) => this.saveFailures.failed(error),
      );
    return this.saving;
  }
}
