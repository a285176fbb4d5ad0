import type { V1Node } from '@kubernetes/client-node';

/** Ready, and without the not-ready taint that new nodes carry until the node controller sees them Ready. */
export function isSchedulable(node: V1Node): boolean {
  const ready = node.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
  return ready && (node.spec?.taints ?? []).length === 0;
}
