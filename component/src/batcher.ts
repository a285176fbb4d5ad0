/** Hands items to `process` in batches: each batch is everything that arrived while the previous one was processed. */
export class Batcher<T> {
  private queued: T[] = [];
  private processing: Promise<void> | undefined;
  private inProcess = 0;

  constructor(private readonly process: (batch: T[]) => Promise<void>) {}

  add(item: T): void {
    this.queued.push(item);
    this.processing ??= this.processQueue();
  }

  /** Items added and not yet processed. */
  get backlog(): number {
    return this.queued.length + this.inProcess;
  }

  /** Resolves once every item added so far is processed. */
  async idle(): Promise<void> {
    await this.processing;
  }

  private async processQueue(): Promise<void> {
    try {
      while (this.queued.length > 0) {
        const batch = this.queued.splice(0);
        this.inProcess = batch.length;
        await this.process(batch);
      }
    } finally {
      this.processing = undefined;
      this.inProcess = 0;
    }
  }
}
