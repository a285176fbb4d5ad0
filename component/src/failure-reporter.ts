import type { Settlement } from './consume';
import { errorMessage, type Logger } from './log';

/** Logs when an operation starts failing and when it recovers, rather than once per failed message. */
export class FailureReporter {
  private failuresSinceSuccess = 0;

  constructor(
    private readonly logger: Logger,
    private readonly operation: string,
  ) {}

  failed(error: unknown): void {
    if (this.failuresSinceSuccess === 0) this.logger.error(`${this.operation}_failing`, { error: errorMessage(error) });
    this.failuresSinceSuccess++;
  }

  /** Runs one attempt of the operation: `done` when it succeeds, `retry` (reported) when it throws. */
  async settle(attempt: () => Promise<void>): Promise<Settlement> {
    try {
      await attempt();
      this.succeeded();
      return 'done';
    } catch (error) {
      this.failed(error);
      return 'retry';
    }
  }

  succeeded(): void {
    if (this.failuresSinceSuccess === 0) return;
    this.logger.info(`${this.operation}_recovered`, { failures: this.failuresSinceSuccess });
    this.failuresSinceSuccess = 0;
  }
}
