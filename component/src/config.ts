import path from 'node:path';
import { ConfigError, EnvReader } from './env';

/** Where Weir mounts the pipeline's volume. */
const DATA_DIR = '/weir-data';
const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
const DEFAULT_SOURCE_KEYS = 1000;
const DEFAULT_DEDUPE_WINDOW_MS = 60_000;
const MAX_PORT = 65_535;
/** The component name becomes part of file names and message ids. */
const COMPONENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const MODES = ['source', 'transform', 'sink'] as const;
const TRANSFORMS = ['passthrough', 'filter', 'dedupe'] as const;
const SINKS = ['file', 'http'] as const;

export interface InputBinding {
  stream: string;
  consumer: string;
}

export interface SourceConfig {
  kind: 'source';
  outputSubject: string;
  /** Generate this many messages, then idle. */
  count?: number;
  /** Generate at this pace. */
  ratePerSecond?: number;
  keys: number;
  httpPort?: number;
  progressFile: string;
}

export type TransformSpec =
  { kind: 'passthrough' } | { kind: 'filter'; field: string; equals: string } | { kind: 'dedupe'; windowMs: number };

export interface TransformConfig {
  kind: 'transform';
  input: InputBinding;
  outputSubject: string;
  transform: TransformSpec;
}

type SinkSpec = { kind: 'file'; path: string } | { kind: 'http'; url: string };

export interface SinkConfig {
  kind: 'sink';
  input: InputBinding;
  sink: SinkSpec;
}

export type ModeConfig = SourceConfig | TransformConfig | SinkConfig;

/** How the component identifies itself to NATS. */
export interface NatsIdentity {
  /** The content of a NATS credentials file (a user JWT and its seed); anonymous without it. */
  creds?: string;
  /** Where replies to the component's requests go; its credentials may allow no other inbox. */
  inboxPrefix?: string;
}

interface ComponentConfig {
  component: string;
  natsServers: string[];
  natsIdentity: NatsIdentity;
  connectTimeoutMs: number;
  mode: ModeConfig;
}

export function readConfig(environment: NodeJS.ProcessEnv): ComponentConfig {
  const env = new EnvReader(environment);
  const component = env.required('WEIR_COMPONENT', 'to name messages and files');
  if (!COMPONENT_NAME.test(component)) {
    throw new ConfigError(`WEIR_COMPONENT may hold only letters, digits, '.', '_' and '-' (got "${component}")`);
  }
  return {
    component,
    natsServers: env
      .required('NATS_URL', 'to reach NATS')
      .split(',')
      .map((server) => server.trim()),
    natsIdentity: { creds: env.optional('WEIR_NATS_CREDS'), inboxPrefix: env.optional('WEIR_NATS_INBOX_PREFIX') },
    connectTimeoutMs: env.positiveInteger('NATS_CONNECT_TIMEOUT_MS') ?? DEFAULT_CONNECT_TIMEOUT_MS,
    mode: readModeConfig(env, component),
  };
}

function readModeConfig(env: EnvReader, component: string): ModeConfig {
  const mode = env.oneOf('WEIR_MODE', MODES, inferredMode(env));
  switch (mode) {
    case 'source':
      return readSourceConfig(env, component);
    case 'transform':
      return {
        kind: 'transform',
        input: readInput(env, mode),
        outputSubject: env.required('WEIR_OUTPUT_SUBJECT', 'in transform mode'),
        transform: readTransformSpec(env),
      };
    case 'sink':
      return { kind: 'sink', input: readInput(env, mode), sink: readSinkSpec(env, component) };
  }
}

function inferredMode(env: EnvReader): (typeof MODES)[number] {
  if (env.optional('WEIR_INPUT_STREAM') === undefined) return 'source';
  if (env.optional('WEIR_OUTPUT_SUBJECT') === undefined) return 'sink';
  return 'transform';
}

function readInput(env: EnvReader, mode: string): InputBinding {
  return {
    stream: env.required('WEIR_INPUT_STREAM', `in ${mode} mode`),
    consumer: env.required('WEIR_INPUT_CONSUMER', `in ${mode} mode`),
  };
}

function readSourceConfig(env: EnvReader, component: string): SourceConfig {
  const config: SourceConfig = {
    kind: 'source',
    outputSubject: env.required('WEIR_OUTPUT_SUBJECT', 'in source mode'),
    count: env.positiveInteger('SOURCE_COUNT'),
    ratePerSecond: env.positiveNumber('SOURCE_RATE'),
    keys: env.positiveInteger('SOURCE_KEYS') ?? DEFAULT_SOURCE_KEYS,
    httpPort: env.positiveInteger('SOURCE_HTTP_PORT'),
    progressFile: path.join(DATA_DIR, `${component}.source-seq`),
  };
  if (config.httpPort !== undefined && config.httpPort > MAX_PORT) {
    throw new ConfigError(`SOURCE_HTTP_PORT must be at most ${MAX_PORT} (got ${config.httpPort})`);
  }
  if (config.count === undefined && config.ratePerSecond === undefined && config.httpPort === undefined) {
    throw new ConfigError('source mode needs SOURCE_COUNT, SOURCE_RATE or SOURCE_HTTP_PORT');
  }
  return config;
}

function readTransformSpec(env: EnvReader): TransformSpec {
  const kind = env.oneOf('TRANSFORM', TRANSFORMS, 'passthrough');
  switch (kind) {
    case 'passthrough':
      return { kind };
    case 'filter':
      return {
        kind,
        field: env.required('FILTER_FIELD', 'with TRANSFORM=filter'),
        equals: env.required('FILTER_EQUALS', 'with TRANSFORM=filter'),
      };
    case 'dedupe':
      return { kind, windowMs: env.positiveInteger('DEDUPE_WINDOW_MS') ?? DEFAULT_DEDUPE_WINDOW_MS };
  }
}

function readSinkSpec(env: EnvReader, component: string): SinkSpec {
  const kind = env.oneOf('SINK', SINKS, 'file');
  switch (kind) {
    case 'file':
      return { kind, path: env.optional('SINK_FILE') ?? path.join(DATA_DIR, `${component}.jsonl`) };
    case 'http': {
      const url = env.required('SINK_URL', 'with SINK=http');
      if (!URL.canParse(url)) throw new ConfigError(`SINK_URL must be a URL (got "${url}")`);
      return { kind, url };
    }
  }
}
