import { randomBytes } from 'node:crypto';

/** The pipeline ids of one run, remembered so that whatever carries them can be swept at the end. */
export class PipelineIds {
  private readonly run = `bench-${randomBytes(3).toString('hex')}`;
  private readonly used = new Set<string>();

  /** `count` fresh ids such as bench-1a2b3c-life-7. */
  make(group: string, count: number): string[] {
    const ids = Array.from({ length: count }, (_, index) => `${this.run}-${group}-${index}`);
    for (const id of ids) this.used.add(id);
    return ids;
  }

  all(): ReadonlySet<string> {
    return this.used;
  }
}
