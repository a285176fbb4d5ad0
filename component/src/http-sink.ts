import type { JsMsg } from '@nats-io/jetstream';
import type { Settlement } from './consume';
import type { FailureReporter } from './failure-reporter';
import type { Sink } from './sink-types';

const REQUEST_TIMEOUT_MS = 10_000;

/** POSTs each message to `url`; a message is done only when the answer is 2xx. */
export function createHttpSink(url: string, postFailures: FailureReporter): Sink {
  return {
    write: (messages) => Promise.all(messages.map((message) => post(url, message, postFailures))),
    close: async () => undefined,
  };
}

function post(url: string, message: JsMsg, postFailures: FailureReporter): Promise<Settlement> {
  return postFailures.settle(async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: message.data,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  });
}
