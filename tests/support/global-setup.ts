import { startThrowawayServices } from '../../scripts/throwaway-services';
import './test-services';

/** Starts a throwaway Temporal dev server and NATS server shared by every test file. */
export default async function globalSetup(): Promise<void> {
  const services = await startThrowawayServices({ name: 'test-services' });
  globalThis.weirTestServices = services;
  // Test workers are started after global setup, so they inherit these.
  process.env.TEMPORAL_ADDRESS = services.temporalAddress;
  process.env.NATS_URL = services.natsUrl;
  Object.assign(process.env, services.natsAuthEnv);
  process.env.WEIR_TEMPORAL_CLI = services.temporalCli;
}
