import type Docker from 'dockerode';
import { sinkDelivery } from '../harness/pipeline-data';
import type { WeirSystem } from '../harness/weir-system';
import { measureDrains, type DrainSample } from './drain-time';
import { measureFailureDetection } from './failure-detection';
import { JetStreamProbe } from './jetstream-probe';
import type { BenchParameters } from './parameters';
import type { PipelineIds } from './pipeline-ids';
import { SINK, TRANSFORM } from './three-stage-pipeline';
import { measureThroughput, type ThroughputSample } from './throughput';

export interface DrainRuns {
  /** The component whose consumer held the messages back until the stop. */
  held: string;
  samples: DrainSample[];
}

export interface DataPlaneResults {
  throughput: ThroughputSample[];
  drains: DrainRuns[];
  failureDetectionMs: number[];
}

/** Messages through three-stage pipelines of the reference component: throughput, drain on stop, and failure detection. */
export async function measureDataPlane(
  system: WeirSystem,
  docker: Docker,
  natsUrl: string,
  ids: PipelineIds,
  parameters: BenchParameters,
): Promise<DataPlaneResults> {
  const probe = await JetStreamProbe.open(natsUrl);
  try {
    const throughput = await measureThroughput(system, docker, probe, ids.make('flow', parameters.throughputRuns), parameters);
    const drains: DrainRuns[] = [];
    for (const held of [SINK, TRANSFORM]) {
      const pipelineIds = ids.make(`drain-${held.component}`, parameters.drainRuns);
      const deliveryOf = (pipelineId: string, expected: number) => sinkDelivery(pipelineId, expected, docker);
      drains.push({ held: held.component, samples: await measureDrains(system, deliveryOf, probe, pipelineIds, held, parameters) });
    }
    const failureDetectionMs = await measureFailureDetection(system, docker, ids.make('kill', parameters.failureDetectionRuns), parameters);
    return { throughput, drains, failureDetectionMs };
  } finally {
    await probe.close();
  }
}
