import type Docker from 'dockerode';
import type { WeirSystem } from '../harness/weir-system';
import type { JetStreamProbe } from './jetstream-probe';
import type { BenchParameters } from './parameters';
import { SOURCE_OUTPUT, sinkDelivery, threeStageComponents, type SinkDelivery } from '../harness/pipeline-data';
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

const DELIVERY_TIMEOUT_MS = 180_000;

/** Messages per second through source → transform → sink, one pipeline after another. */
export function measureThroughput(
  system: WeirSystem,
  docker: Docker,
  probe: JetStreamProbe,
  pipelineIds: string[],
  parameters: BenchParameters,
): Promise<ThroughputSample[]> {
  return sampleWeirPipelinesInTurn(system, 'throughput', pipelineIds, (pipelineId) =>
    timeThroughput(system, docker, probe, pipelineId, parameters),
  );
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
