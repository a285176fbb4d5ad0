import type { ConsumingComponent, JetStreamProbe } from './jetstream-probe';
import { SOURCE_OUTPUT } from '../harness/pipeline-data';
import { pollUntil } from './waiting';

const POLL_MS = 100;

/** Waits until the source's stream accepted all `messages` and `readers` have finished everything they were given. */
export async function untilSourceDone(
  probe: JetStreamProbe,
  pipelineId: string,
  messages: number,
  readers: ConsumingComponent[],
  timeoutMs: number,
): Promise<void> {
  await pollUntil(
    async () => ({
      accepted: await probe.acceptedMessages(pipelineId, SOURCE_OUTPUT),
      unfinished: await probe.unfinished(pipelineId, readers),
    }),
    ({ accepted, unfinished }) => accepted === messages && unfinished === 0,
    POLL_MS,
    timeoutMs,
    `${pipelineId}: ${messages} messages accepted and finished by ${readers.map(({ component }) => component).join(', ') || 'nobody'}`,
  );
}
