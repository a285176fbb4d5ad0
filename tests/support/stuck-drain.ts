import { streamSubject } from '../../activities/nats/stream-names';
import { connectAsWeir } from '../../harness/test-nats';
import type { ComponentBody } from './orchestrator-backends';

const SLEEP = ['sleep', '3600'];

/** A source and a sink that never consume: once a message waits for the sink (leaveMessageForSink), a stop drains until terminated. */
export const STUCK_DRAIN_COMPONENTS: ComponentBody[] = [
  { name: 'source', command: SLEEP, output: 'events' },
  { name: 'sink', command: SLEEP, input: 'events' },
];

/** Stores one message for the sink of STUCK_DRAIN_COMPONENTS, which it never acks. */
export async function leaveMessageForSink(pipelineId: string): Promise<void> {
  const connection = await connectAsWeir();
  try {
    await connection.request(streamSubject(pipelineId, 'events'), 'waiting for the sink').catch(() => undefined);
    await connection.flush();
  } finally {
    await connection.close();
  }
}
