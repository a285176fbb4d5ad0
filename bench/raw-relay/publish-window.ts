/** Keeps up to `size` publishes awaiting their acknowledgement; the first one that fails fails the run. */
export class PublishWindow {
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private failure: unknown;

  constructor(private readonly size: number) {}

  /** Counts `publish` in the window; waits while the window is full. */
  async add(publish: Promise<unknown>): Promise<void> {
    this.inFlight++;
    void publish.then(
      () => this.settled(),
      (error: unknown) => {
        this.failure ??= error;
        this.settled();
      },
    );
    await this.untilAtMost(this.size - 1);
  }

  /** Resolves once every publish added is acknowledged. */
  async drained(): Promise<void> {
    await this.untilAtMost(0);
  }

  private async untilAtMost(inFlight: number): Promise<void> {
    while (this.inFlight > inFlight && this.failure === undefined) await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.failure !== undefined) throw this.failure;
  }

  private settled(): void {
    this.inFlight--;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
