import type { Consumer, JetStreamClient } from '@nats-io/jetstream';
import type { InputBinding } from './config';
import { errorMessage } from './log';

/** The durable consumer Weir created for this component's input. */
export async function inputConsumer(js: JetStreamClient, input: InputBinding): Promise<Consumer> {
  try {
    return await js.consumers.get(input.stream, input.consumer);
  } catch (error) {
    throw new Error(`cannot use consumer "${input.consumer}" of stream "${input.stream}": ${errorMessage(error)}`, { cause: error });
  }
}
