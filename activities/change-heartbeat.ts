/**
 * Heartbeats of a long watch: details go out when they differ from the last sent, and the last go out again once
 * `keepAliveMs` has passed without a change, so the activity stays inside its heartbeat timeout. Every heartbeat is
 * a call to Temporal, and a watch that looks without finding a change has nothing new to say.
 */
export class ChangeHeartbeat<T> {
  private last?: { details: T; key: string };
  private readonly keepAlive: NodeJS.Timeout;

  constructor(
    private readonly send: (details: T) => void,
    keepAliveMs: number,
  ) {
    this.keepAlive = setInterval(() => this.last && this.send(this.last.details), keepAliveMs);
  }

  report(details: T): void {
    const key = JSON.stringify(details);
    if (this.last?.key === key) return;
    this.last = { details, key };
    this.send(details);
    this.keepAlive.refresh();
  }

  stop(): void {
    clearInterval(this.keepAlive);
  }
}
