/** Runs at most `size` tasks at once. Tasks must not reject. */
export class InFlightWindow {
  private readonly running = new Set<Promise<void>>();
  private readonly waitingForSlot: Array<() => void> = [];

  constructor(private readonly size: number) {}

  /** Waits for a free slot, then starts `task` without waiting for it. */
  async start(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.size) await new Promise<void>((resolve) => this.waitingForSlot.push(resolve));
    const run = task().finally(() => {
      this.running.delete(run);
      this.waitingForSlot.shift()?.();
    });
    this.running.add(run);
  }

  async settled(): Promise<void> {
    await Promise.all(this.running);
  }
}
