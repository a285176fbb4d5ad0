import os from 'node:os';
import type Docker from 'dockerode';
import type { WeirSystem } from '../harness/weir-system';
import type { JetStreamProbe } from './jetstream-probe';
import type { BenchParameters } from './parameters';
import { SOURCE_OUTPUT, sinkDelivery, threeStageComponents, type SinkDelivery } from '../harness/pipeline-data';
import { progress } from './progress';
import type { RawRelay, RawRelaySample } from './raw-relay/raw-relay';
import { untilSourceDone } from './source-done';
import { SINK, TRANSFORM } from './three-stage-pipeline';
import { createPipeline, sampleWeirPipelinesInTurn, timeCommand, untilStatus } from './weir-api';

export interface ThroughputSample {
  /** From the source's first publish to the sink's last ack. */
  firstPublishToLastAckMs: number;
  messagesPerSecond: number;
  /** A graceful stop once everything is delivered: the drain with nothing pending, for comparison. */
  idleStopToStoppedMs: number;
  delivery: SinkDelivery;
}

export interface ThroughputResults {
  weir: ThroughputSample[];
  rawRelay: RawRelaySample[];
  /** The machine's 1-minute load average after each pair of runs. */
  loadAverages: number[];
}

const DELIVERY_TIMEOUT_MS = 180_000;

/**
 * Messages per second through source → transform → sink, and through the raw relay, in pairs of one run each, so
 * that both see the same background load.
 */
export async function measureThroughput(
  system: WeirSystem,
  docker: Docker,
  probe: JetStreamProbe,
  rawRelay: RawRelay,
  pairs: Array<{ pipelineId: string; relayRunId: string }>,
  parameters: BenchParameters,
): Promise<ThroughputResults> {
  const results: ThroughputResults = { weir: [], rawRelay: [], loadAverages: [] };
  for (const [index, { pipelineId, relayRunId }] of pairs.entries()) {
    const runWeir = async () => {
      const [weir] = await sampleWeirPipelinesInTurn(system, `throughput ${index + 1}, Weir`, [pipelineId], (id) =>
        timeThroughput(system, docker, probe, id, parameters),
      );
      results.weir.push(weir);
    };
    const runRawRelay = async () => {
      results.rawRelay.push(await rawRelay.time(probe, relayRunId, parameters.throughputMessages));
    };
    // Weir first in even pairs, the raw relay first in odd ones, so that neither always runs on a warmer machine.
    for (const run of index % 2 === 0 ? [runWeir, runRawRelay] : [runRawRelay, runWeir]) await run();
    results.loadAverages.push(os.loadavg()[0]);
    const rates = [results.weir[index], results.rawRelay[index]].map(({ messagesPerSecond }) => Math.round(messagesPerSecond));
    progress(`throughput: ${index + 1} of ${pairs.length} pairs done: Weir ${rates[0]}/s, raw relay ${rates[1]}/s`);
  }
  return results;
}

async function timeThroughput(
  system: WeirSystem,
  docker: Docker,
  probe: JetStreamProbe,
  pipelineId: string,
  parameters: BenchParameters,
): Promise<ThroughputSample> {
  const messages = parameters.throughputMessages;
  const firstPublish = await probe.listenForFirstPublish(pipelineId, SOURCE_OUTPUT);
  await createPipeline(system, pipelineId, threeStageComponents(messages));
  await untilStatus(system, pipelineId, 'Running', parameters.statusPollMs);
  await untilSourceDone(probe, pipelineId, messages, [TRANSFORM, SINK], DELIVERY_TIMEOUT_MS);
  const firstPublishToLastAckMs = (await probe.lastAckAt(pipelineId, SINK)) - (await firstPublish.publishedAt);
  const idleStopToStoppedMs = await timeCommand(system, pipelineId, 'stop', 'Stopped', parameters.statusPollMs);
  return {
    firstPublishToLastAckMs,
    messagesPerSecond: (messages * 1000) / firstPublishToLastAckMs,
    idleStopToStoppedMs,
    delivery: await sinkDelivery(pipelineId, messages, docker),
  };
}
