import type { WeirSystem } from '../harness/weir-system';
import type { ConsumingComponent, JetStreamProbe } from './jetstream-probe';
import type { BenchParameters } from './parameters';
import { threeStageComponents, type SinkDelivery } from '../harness/pipeline-data';
import { untilSourceDone } from './source-done';
import { SINK, TRANSFORM } from './three-stage-pipeline';
import { pollUntil } from './waiting';
import { createPipeline, sampleWeirPipelinesInTurn, STEP_TIMEOUT_MS, timeCommand, untilStatus } from './weir-api';

export interface DrainSample {
  /** Pending plus delivered-but-unacked, summed over the transform's and the sink's consumers, just before the stop. */
  pendingAtStop: number;
  stopToStoppedMs: number;
  delivery: SinkDelivery;
}

const PROVISION_POLL_MS = 10;
const DRAIN_TIMEOUT_MS = 300_000;
/** How long the source and the components not held may take to move every message, on a machine loaded by other work. */
const DELIVERY_TIMEOUT_MS = 180_000;
/** The held consumer resumes by itself after this, should the benchmark not get to resume it. */
const HOLD_LIMIT_MS = 120_000;

/** What the pipeline's sink wrote, read wherever its volume lives. */
export type DeliveryReader = (pipelineId: string, expected: number) => Promise<SinkDelivery>;

/** Graceful stops while every message the source published is still before `held`, one pipeline after another. */
export function measureDrains(
  system: WeirSystem,
  deliveryOf: DeliveryReader,
  probe: JetStreamProbe,
  pipelineIds: string[],
  held: ConsumingComponent,
  parameters: BenchParameters,
): Promise<DrainSample[]> {
  return sampleWeirPipelinesInTurn(system, `drain, held before the ${held.component}`, pipelineIds, (pipelineId) =>
    timeDrain(system, deliveryOf, probe, pipelineId, held, parameters),
  );
}

/**
 * The transform and the sink keep up with the source, so `held` is held back: its consumer is paused as soon as Weir
 * provisions it, before the component starts, and resumed just before the stop. Everything the source publishes
 * meanwhile piles up before it.
 */
async function timeDrain(
  system: WeirSystem,
  deliveryOf: DeliveryReader,
  probe: JetStreamProbe,
  pipelineId: string,
  held: ConsumingComponent,
  parameters: BenchParameters,
): Promise<DrainSample> {
  const messages = parameters.drainMessages;
  const others = [TRANSFORM, SINK].filter((reader) => reader !== held);
  await createPipeline(system, pipelineId, threeStageComponents(messages));
  await pollUntil(
    () => probe.consumerInfo(pipelineId, held),
    (info) => info !== undefined,
    PROVISION_POLL_MS,
    STEP_TIMEOUT_MS,
    `provisioning ${pipelineId}`,
  );
  await probe.pauseConsumer(pipelineId, held, new Date(Date.now() + HOLD_LIMIT_MS));
  await untilStatus(system, pipelineId, 'Running', parameters.statusPollMs);
  await untilSourceDone(probe, pipelineId, messages, others, DELIVERY_TIMEOUT_MS);
  const pendingAtStop = await probe.unfinished(pipelineId, [TRANSFORM, SINK]);
  await probe.resumeConsumer(pipelineId, held);
  const stopToStoppedMs = await timeCommand(system, pipelineId, 'stop', 'Stopped', parameters.statusPollMs, DRAIN_TIMEOUT_MS);
  return { pendingAtStop, stopToStoppedMs, delivery: await deliveryOf(pipelineId, messages) };
}
