import type { ControlPlane } from '../../scripts/kubernetes/control-plane';
import type { ThrowawayServices } from '../../scripts/throwaway-services';

declare global {
  /** What global setup started, kept on globalThis so that global teardown can stop it. */
  var weirTestServices: ThrowawayServices | undefined;
  var weirTestKubernetes: ControlPlane | undefined;
}
