import { startThrowawayServices, type ThrowawayServices } from '../scripts/throwaway-services';
import { progress } from './progress';

/**
 * The benchmark's own Temporal dev server and NATS server; TEMPORAL_ADDRESS, NATS_URL and the NATS keys' variables point
 * at them from then on.
 * Own process groups: Ctrl-C reaches only the benchmark, which cleans up and then stops the servers.
 */
export async function startBenchServices(): Promise<ThrowawayServices> {
  progress('starting a Temporal dev server and a NATS server');
  const services = await startThrowawayServices({ name: 'bench', detached: true });
  process.env.TEMPORAL_ADDRESS = services.temporalAddress;
  process.env.NATS_URL = services.natsUrl;
  Object.assign(process.env, services.natsAuthEnv);
  return services;
}
