import { chmod, mkdir } from 'node:fs/promises';
import type { CoreV1Api } from '@kubernetes/client-node';

export interface HostFolderClaim {
  /** The folder on the node; made if missing. */
  dir: string;
  /** The PersistentVolume's name. */
  volumeName: string;
  namespace: string;
  claimName: string;
  storageClass: string;
}

/**
 * A PersistentVolume on a folder of the (single, real) node, bound in advance to the claim that Weir will make, so that
 * what components write there can be read from this machine afterwards. The storage class provisions nothing.
 */
export async function bindHostFolder(core: CoreV1Api, claim: HostFolderClaim): Promise<void> {
  await mkdir(claim.dir, { recursive: true });
  // Components run as nobody.
  await chmod(claim.dir, 0o777);
  await core.createPersistentVolume({
    body: {
      metadata: { name: claim.volumeName },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        storageClassName: claim.storageClass,
        persistentVolumeReclaimPolicy: 'Retain',
        hostPath: { path: claim.dir, type: 'Directory' },
        claimRef: { namespace: claim.namespace, name: claim.claimName },
      },
    },
  });
}
