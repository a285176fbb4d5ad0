import { WeirSystem } from '../harness/weir-system';
import type { BenchParameters } from './parameters';
import { progress } from './progress';
import { isInterrupted } from './waiting';

/** Runs `use` against Weir's real API and worker in this process, with the given Docker network mode and any other `env`. */
export async function withWeirSystem<T>(
  networkMode: string,
  parameters: BenchParameters,
  use: (system: WeirSystem) => Promise<T>,
  env: Record<string, string> = {},
): Promise<T> {
  progress(`starting Weir (API and worker, Docker network mode '${networkMode}')`);
  const system = await WeirSystem.start({
    env: {
      WEIR_DOCKER_NETWORK_MODE: networkMode,
      WEIR_DOCKER_PULL: 'false',
      WEIR_STOP_GRACE_SECONDS: String(parameters.stopGraceSeconds),
      // Hundreds of commands at once can keep the worker from accepting one within the harness's 3 s.
      WEIR_UPDATE_TIMEOUT_MS: '10000',
      ...env,
    },
  });
  try {
    return await use(system);
  } finally {
    // On Ctrl-C the Temporal SDK shuts the worker down by itself, and shutting it down again fails.
    await system.close().catch((error: unknown) => {
      if (!isInterrupted()) throw error;
    });
  }
}
