import type { RunningService } from '../../scripts/services';

/** What global setup started, kept on globalThis so that global teardown can stop it. */
export interface TestServices {
  /** In start order. */
  services: RunningService[];
  /** Temporary folder holding the service logs and the NATS store. */
  workDir: string;
}

declare global {
  var weirTestServices: TestServices | undefined;
}
