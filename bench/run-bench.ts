import Docker from 'dockerode';
import type { ThrowawayServices } from '../scripts/throwaway-services';
import { startBenchServices } from './bench-services';
import { withWeirSystem } from './bench-system';
import { measureDataPlane } from './data-plane';
import { measureEventStreams } from './event-stream';
import { measureHealthLatency } from './health-latency';
import { measureKubernetes } from './kubernetes';
import { KUBERNETES_PARAMETERS } from './kubernetes-parameters';
import { measureFailover } from './failover';
import { measureIdleCost } from './idle-cost';
import { IDLE_PARAMETERS } from './idle-parameters';
import { measureListLatency } from './list-latency';
import { sweepStreams } from './jetstream-probe';
import { sweepLabelled } from './label-sweep';
import { measureLifecycles } from './lifecycle';
import { measureLiveScales } from './live-scale';
import { machineFacts } from './machine-facts';
import { PARAMETERS } from './parameters';
import { PipelineIds } from './pipeline-ids';
import { measureRollingEdits } from './rolling-edit';
import { messageOf, progress } from './progress';
import { formatReport, type BenchResults } from './report';
import { benchOptions, type BenchOptions } from './command-line';
import { interruptOnSignals } from './waiting';

/** The selected sections in the order of SECTIONS: lifecycle first, on a quiet engine and server; the large populations last. */
async function measure(
  docker: Docker,
  services: ThrowawayServices,
  ids: PipelineIds,
  { sections, pipelines }: BenchOptions,
): Promise<BenchResults> {
  const results: BenchResults = { facts: await machineFacts(docker, services.temporalCli) };
  if (sections.has('lifecycle')) {
    results.lifecycle = await withWeirSystem(PARAMETERS.lifecycleNetworkMode, PARAMETERS, (system) =>
      measureLifecycles(system, docker, ids, PARAMETERS),
    );
  }
  if (sections.has('rolling-edit')) {
    results.rollingEdit = await withWeirSystem(PARAMETERS.lifecycleNetworkMode, PARAMETERS, (system) =>
      measureRollingEdits(system, ids, PARAMETERS),
    );
  }
  if (sections.has('scale')) {
    results.scale = await withWeirSystem(PARAMETERS.lifecycleNetworkMode, PARAMETERS, (system) =>
      measureLiveScales(system, ids, PARAMETERS),
    );
  }
  if (sections.has('data-plane')) {
    results.dataPlane = await withWeirSystem(PARAMETERS.dataPlaneNetworkMode, PARAMETERS, (system) =>
      measureDataPlane(system, docker, services.natsUrl, services.workDir, ids, PARAMETERS),
    );
  }
  if (sections.has('events')) {
    results.events = await withWeirSystem(PARAMETERS.populationNetworkMode, PARAMETERS, () =>
      measureEventStreams(ids.make('events', 1)[0], PARAMETERS),
    );
  }
  if (sections.has('health')) {
    results.health = await withWeirSystem(PARAMETERS.populationNetworkMode, PARAMETERS, (system) =>
      measureHealthLatency(system, ids.make('pop', PARAMETERS.population), PARAMETERS),
    );
  }
  if (sections.has('list')) {
    results.list = await withWeirSystem(PARAMETERS.populationNetworkMode, PARAMETERS, (system) =>
      measureListLatency(system, ids.make('list', PARAMETERS.listPopulation), PARAMETERS),
    );
  }
  const temporalPid = () => {
    const pid = services.services.find(({ name }) => name === 'temporal')?.pid;
    if (pid === undefined) throw new Error('the Temporal server has no process id');
    return pid;
  };
  if (sections.has('idle')) {
    const count = pipelines ?? IDLE_PARAMETERS.idlePipelines;
    results.idle = await withWeirSystem(PARAMETERS.populationNetworkMode, PARAMETERS, (system) =>
      measureIdleCost(system, temporalPid(), ids.make('idle', count), IDLE_PARAMETERS, {
        WEIR_DOCKER_NETWORK_MODE: PARAMETERS.populationNetworkMode,
        WEIR_DOCKER_PULL: 'false',
      }),
    );
  }
  if (sections.has('failover')) {
    const count = pipelines ?? IDLE_PARAMETERS.failoverPipelines;
    results.failover = await measureFailover(temporalPid(), ids.make('failover', count), IDLE_PARAMETERS);
  }
  if (sections.has('kubernetes')) {
    const parameters = { ...KUBERNETES_PARAMETERS, pipelines: pipelines ?? KUBERNETES_PARAMETERS.pipelines };
    results.kubernetes = { results: await measureKubernetes(services.natsUrl, ids, PARAMETERS, parameters), parameters };
  }
  return results;
}

async function main(): Promise<number> {
  const startedAt = performance.now();
  const options = benchOptions(process.argv.slice(2));
  interruptOnSignals();
  const docker = new Docker();
  const ids = new PipelineIds();
  const services = await startBenchServices();
  let results: BenchResults | undefined;
  try {
    results = await measure(docker, services, ids, options);
  } catch (error) {
    progress(`failed: ${messageOf(error)}`);
  }
  const leftovers = await sweepLabelled(docker, ids.all()).catch((error: unknown) => {
    progress(`the final sweep failed: ${messageOf(error)}`);
    return undefined;
  });
  const leftoverStreams = await sweepStreams(services.natsUrl, ids.all()).catch((error: unknown) => {
    progress(`the final stream sweep failed: ${messageOf(error)}`);
    return undefined;
  });
  await services.stop();
  if (!results || !leftovers || leftoverStreams === undefined) return 1;
  console.log(formatReport(results, PARAMETERS, { leftovers, leftoverStreams, runtimeMs: performance.now() - startedAt }));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench: ${messageOf(error)}`);
    process.exit(1);
  },
);
