import os from 'node:os';
import { measureKwokScale, type KwokScaleResults } from './kubernetes-kwok-scale';
import type { KubernetesParameters } from './kubernetes-parameters';
import { startBenchPlane } from './kubernetes-plane';
import { measureRealNode, type RealNodeResults } from './kubernetes-real-node';
import type { BenchParameters } from './parameters';
import type { PipelineIds } from './pipeline-ids';

export interface KubernetesResults {
  realNode: RealNodeResults;
  kwok: KwokScaleResults;
  /** The machine's 1-minute load average as the section started and as it ended: others' work shares the machine. */
  loadAverage: { start: number; end: number };
}

/**
 * Weir on the project's own control plane: the real node first, while the plane is quiet, then the population on
 * kwok's node. Everything made there goes with the plane.
 */
export async function measureKubernetes(
  natsUrl: string,
  ids: PipelineIds,
  parameters: BenchParameters,
  k8s: KubernetesParameters,
): Promise<KubernetesResults> {
  const start = os.loadavg()[0];
  const bench = await startBenchPlane();
  try {
    const realNode = await measureRealNode(bench, natsUrl, ids, parameters, k8s);
    const kwok = await measureKwokScale(bench, ids, parameters, k8s);
    return { realNode, kwok, loadAverage: { start, end: os.loadavg()[0] } };
  } finally {
    await bench.stop();
  }
}
