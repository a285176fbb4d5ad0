/**
 * Hands items to `process` in batches: each batch is everything that arrived while earlier ones were processed. With
 * `maxBatchesAtOnce` 1, batches are processed one after another; above it, a new batch starts while up to that many
 * are in process, so an item waits only for a free slot and not for the slowest item before it.
 */
export class Batcher<T> {
  private queued: T[] = [];
  private readonly inProcess = new Set<Promise<void>>();
  private itemsInProcess = 0;

  constructor(
    private readonly process: (batch: T[]) => Promise<void>,
    private readonly maxBatchesAtOnce = 1,
  ) {}

  add(item: T): void {
    this.queued.push(item);
    if (this.inProcess.size < this.maxBatchesAtOnce) this.startBatches();
  }

  /** Items added and not yet processed. */
  get backlog(): number {
    return this.queued.length + this.itemsInProcess;
  }

  /** Resolves once every item added so far is processed. */
  async idle(): Promise<void> {
    while (this.inProcess.size > 0) await Promise.all(this.inProcess);
  }

  /** Processes queued batches in one slot until the queue is empty. */
  private startBatches(): void {
    const run = (async () => {
      while (this.queued.length > 0) {
        const batch = this.queued.splice(0);
        this.itemsInProcess += batch.length;
        try {
          await this.process(batch);
        } finally {
          this.itemsInProcess -= batch.length;
        }
      }
    })().finally(() => this.inProcess.delete(run));
    this.inProcess.add(run);
  }
}
