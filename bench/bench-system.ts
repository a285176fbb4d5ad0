import { WeirSystem } from '../harness/weir-system';
import type { BenchParameters } from './parameters';
import { progress } from './progress';
import { isInterrupted } from './waiting';

/**
 * Runs `use` against Weir's real API and worker in this process, with the given Docker network mode; `extraEnv` adds to
 * or overrides the configuration, for instance to select the Kubernetes orchestrator.
 */
export async function withWeirSystem<T>(
  networkMode: string,
  parameters: BenchParameters,
  use: (system: WeirSystem) => Promise<T>,
  extraEnv: Record<string, string> = {},
): Promise<T> {
  const orchestrator = extraEnv.WEIR_ORCHESTRATOR ?? 'docker';
  progress(
    `starting Weir (API and worker, orchestrator ${orchestrator}${orchestrator === 'docker' ? `, network mode '${networkMode}'` : ''})`,
  );
  const system = await WeirSystem.start({
    env: {
      WEIR_DOCKER_NETWORK_MODE: networkMode,
      WEIR_DOCKER_PULL: 'false',
      WEIR_STOP_GRACE_SECONDS: String(parameters.stopGraceSeconds),
      WEIR_UPDATE_TIMEOUT_MS: String(parameters.apiTimeoutMs),
      ...extraEnv,
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
