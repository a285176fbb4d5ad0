import { KWOK_NODE_LABEL, startControlPlane } from '../../scripts/kubernetes/control-plane';
import { startThrowawayServices } from '../../scripts/throwaway-services';
import './test-services';

/**
 * Starts a throwaway Temporal dev server, NATS server and Kubernetes control plane (with kwok's node; the binaries are
 * built once into a cache) shared by every test file.
 */
export default async function globalSetup(): Promise<void> {
  const services = await startThrowawayServices({ name: 'test-services' });
  globalThis.weirTestServices = services;
  const plane = await startControlPlane({ name: 'test-kubernetes' }).catch(async (error: unknown) => {
    await services.stop();
    throw error;
  });
  globalThis.weirTestKubernetes = plane;
  // Test workers are started after global setup, so they inherit these.
  process.env.TEMPORAL_ADDRESS = services.temporalAddress;
  process.env.NATS_URL = services.natsUrl;
  Object.assign(process.env, services.natsAuthEnv);
  process.env.WEIR_TEMPORAL_CLI = services.temporalCli;
  process.env.KUBECONFIG = plane.kubeconfigPath;
  process.env.WEIR_TEST_KWOK_NODE_SELECTOR = `${KWOK_NODE_LABEL.key}=${KWOK_NODE_LABEL.value}`;
}
