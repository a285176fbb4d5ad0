import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { volumeClaimName } from '../activities/kubernetes/resource-names';
import { REFERENCE_COMPONENT_IMAGE } from '../component/image';
import { SINK_FILE, sinkFileDelivery, threeStageComponents } from '../harness/pipeline-data';
import { bindHostFolder } from '../scripts/kubernetes/host-folder-volume';
import { withWeirSystem } from './bench-system';
import type { DrainRuns } from './data-plane';
import { measureDrains } from './drain-time';
import { JetStreamProbe } from './jetstream-probe';
import type { KubernetesParameters } from './kubernetes-parameters';
import type { BenchPlane } from './kubernetes-plane';
import type { BenchParameters } from './parameters';
import type { PipelineIds } from './pipeline-ids';
import { progress } from './progress';
import { SINK, TRANSFORM } from './three-stage-pipeline';
import { timed } from './waiting';
import { createPipeline, sampleWeirPipelinesInTurn, untilStatus } from './weir-api';

export interface RealNodeResults {
  createToRunningMs: number[];
  drains: DrainRuns[];
}

/** The source needs something to publish while the start is timed; what flows does not matter there. */
const CREATE_MESSAGES = 10;

/**
 * The three-stage pipeline of the reference component on the real node (kubelet and containerd), host-network pods
 * and NATS on loopback, the sink writing to a folder of this machine bound as the pipeline's claim: create -> Running,
 * and graceful stops with every message held before the sink, then before the transform.
 */
export async function measureRealNode(
  bench: BenchPlane,
  natsUrl: string,
  ids: PipelineIds,
  parameters: BenchParameters,
  k8s: KubernetesParameters,
): Promise<RealNodeResults> {
  progress(`importing ${REFERENCE_COMPONENT_IMAGE} into the real node's containerd`);
  await bench.plane.realNode!.importDockerImage(REFERENCE_COMPONENT_IMAGE);
  const { namespace, storageClass, nodeSelector } = bench.realNode;
  const core = bench.admin.makeApiClient(CoreV1Api);
  const volumesDir = path.join(bench.plane.workDir, 'volumes');
  const withVolumes = async (pipelineIds: string[]) => {
    for (const id of pipelineIds) {
      const claim = {
        dir: path.join(volumesDir, id),
        volumeName: `weir-real-${id}`,
        namespace,
        claimName: volumeClaimName(id),
        storageClass,
      };
      await bindHostFolder(core, claim);
    }
    return pipelineIds;
  };
  const deliveryOf = (id: string, expected: number) => sinkFileDelivery(path.join(volumesDir, id, SINK_FILE), expected);
  const timeoutMs = k8s.realNodeTimeoutSeconds * 1000;
  const env = {
    WEIR_ORCHESTRATOR: 'kubernetes',
    KUBECONFIG: bench.plane.kubeconfigPath,
    WEIR_K8S_NAMESPACE: namespace,
    WEIR_K8S_HOST_NETWORK: 'true',
    WEIR_K8S_NODE_SELECTOR: nodeSelector,
    WEIR_K8S_IMAGE_PULL_POLICY: 'Never',
    WEIR_K8S_STORAGE_CLASS: storageClass,
    WEIR_K8S_VOLUME_ACCESS_MODE: 'ReadWriteOnce',
    WEIR_STOP_DEADLINE_SECONDS: String(k8s.realNodeTimeoutSeconds),
    WEIR_READY_TIMEOUT_SECONDS: String(k8s.realNodeTimeoutSeconds),
  };
  return withWeirSystem(
    parameters.dataPlaneNetworkMode,
    parameters,
    async (system) => {
      const createIds = await withVolumes(ids.make('kreal-start', k8s.realNodeCreateRuns));
      const createToRunningMs = await sampleWeirPipelinesInTurn(system, 'real node, create -> Running', createIds, (id) =>
        timed(async () => {
          await createPipeline(system, id, threeStageComponents(CREATE_MESSAGES));
          await untilStatus(system, id, 'Running', parameters.statusPollMs, timeoutMs);
        }),
      );
      const probe = await JetStreamProbe.open(natsUrl);
      try {
        const drains: DrainRuns[] = [];
        for (const held of [SINK, TRANSFORM]) {
          const pipelineIds = await withVolumes(ids.make(`kreal-drain-${held.component}`, parameters.drainRuns));
          drains.push({ held: held.component, samples: await measureDrains(system, deliveryOf, probe, pipelineIds, held, parameters) });
        }
        return { createToRunningMs, drains };
      } finally {
        await probe.close();
      }
    },
    env,
  );
}
