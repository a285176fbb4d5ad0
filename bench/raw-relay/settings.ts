/** How the raw relay is tuned; the report prints these beside its results. */
export const RAW_RELAY_SETTINGS = {
  /** Publishes awaiting their acknowledgement at once, at the publisher. */
  publishWindow: 1024,
  /**
   * Messages each pull of the relay and the consumer asks for. The consumers' max_ack_pending (1000, as Weir sets it)
   * caps what is delivered and unacknowledged, and so also the relay's publishes in flight.
   */
  pullBatch: 500,
  /** A new pull goes out once no more than this many of the last one are still to come, so pulls overlap. */
  pullThreshold: 250,
  /** The client's async stack traces, which cost two errors per publish; off, as in the reference component. */
  asyncTraces: false,
};

export type RawRelaySettings = typeof RAW_RELAY_SETTINGS;

/** What each of the three processes is told, as JSON in ROLE_OPTIONS_VARIABLE; a process ignores what its role does not use. */
export interface RoleOptions {
  natsUrl: string;
  settings: RawRelaySettings;
  /** The publisher publishes this many messages, then exits. */
  messages: number;
  /** Where the publisher and the relay publish. */
  outputSubject: string;
  /** The JetStream stream and durable consumer the relay and the consumer read. */
  inputStream: string;
  inputConsumer: string;
  /** Where the consumer appends its lines. */
  file: string;
  /** The NATS user of the component the role stands in for: its credentials (absent when NATS has no auth) and inbox prefix. */
  identity: { creds?: string; inboxPrefix: string };
}

/** What the processes print on stdout once they are ready to receive. */
export const READY_LINE = 'ready';

/**
 * The variable that carries a process's options, as JSON. Not the command line: the options hold NATS credentials, and
 * any user of the machine can read another's command line.
 */
export const ROLE_OPTIONS_VARIABLE = 'RAW_RELAY_ROLE_OPTIONS';

export function roleOptions(env: NodeJS.ProcessEnv): RoleOptions {
  const json = env[ROLE_OPTIONS_VARIABLE];
  if (json === undefined) throw new Error(`${ROLE_OPTIONS_VARIABLE} must hold the role's options as JSON`);
  return JSON.parse(json) as RoleOptions;
}
