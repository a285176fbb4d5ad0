import { z } from 'zod';
import type { PipelineSettings } from './pipeline/pipeline-settings';
import { DEFAULT_PIPELINE_SETTINGS } from './pipeline/pipeline-settings';

/** An nkey account public key: 'A' and 55 more base32 characters. */
const NATS_ACCOUNT_KEY = /^A[A-Z2-7]{55}$/;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A DNS label: the grammar of a Kubernetes namespace name. */
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** A label key with an optional prefix, '=', and a label value: one term of a node selector. */
const NODE_SELECTOR_TERM =
  /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?=(([A-Za-z0-9][A-Za-z0-9._-]{0,61})?[A-Za-z0-9])?$/;
/** A Kubernetes quantity such as 1Gi or 500M. */
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

const originPattern = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;
const hostNamePattern = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^[0-9A-Fa-f:.]+$/;
const commaList = (entry: RegExp, message: string) =>
  z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    )
    .refine((items) => items.every((item) => entry.test(item)), message);

const environmentSchema = z.object({
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  WEIR_COMPONENT_NATS_URL: z.string().optional(),
  WEIR_NATS_AUTH: z.enum(['jwt', 'none']).default('jwt'),
  WEIR_NATS_ACCOUNT: z.string().regex(NATS_ACCOUNT_KEY, 'must be an account public key (56 characters starting with A)').optional(),
  WEIR_NATS_SIGNING_KEY_FILE: z.string().min(1).optional(),
  WEIR_WORKER_MAX_ACTIVITIES: positiveInt(1000),
  WEIR_SECRETS_DIR: z.string().min(1).optional(),
  WEIR_WORKER_METRICS_HOST: z.string().default('127.0.0.1'),
  WEIR_WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  WEIR_API_HOST: z.string().default('127.0.0.1'),
  WEIR_API_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  WEIR_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  WEIR_API_ALLOWED_ORIGINS: commaList(originPattern, 'must list origins such as https://ui.example.com, separated by commas'),
  WEIR_API_ALLOWED_HOSTS: commaList(hostNamePattern, 'must list host names such as weir.example.com, separated by commas'),
  WEIR_TEMPORAL_UI_URL: z
    .string()
    .regex(/^https?:\/\/[A-Za-z0-9.:[\]-]+(\/[A-Za-z0-9._~/-]*)?$/, 'must be an http(s) URL such as http://127.0.0.1:8233')
    .default('http://127.0.0.1:8233'),
  WEIR_UPDATE_TIMEOUT_MS: positiveInt(10_000),
  WEIR_DELETE_TIMEOUT_MS: positiveInt(120_000),
  WEIR_ORCHESTRATOR: z.enum(['docker', 'kubernetes']).default('docker'),
  KUBECONFIG: z.string().min(1).optional(),
  WEIR_K8S_NAMESPACE: z.string().regex(DNS_LABEL, 'must be a namespace name (a DNS label)').default('weir'),
  WEIR_K8S_HOST_NETWORK: z.enum(['true', 'false']).default('false'),
  WEIR_K8S_NODE_SELECTOR: commaList(NODE_SELECTOR_TERM, 'must list label=value pairs separated by commas'),
  WEIR_K8S_IMAGE_PULL_POLICY: z.enum(['IfNotPresent', 'Always', 'Never']).default('IfNotPresent'),
  WEIR_K8S_STORAGE_CLASS: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, 'must be a storage class name')
    .optional(),
  WEIR_K8S_VOLUME_SIZE: z.string().regex(QUANTITY, 'must be a quantity such as 1Gi').default('1Gi'),
  WEIR_K8S_VOLUME_ACCESS_MODE: z.enum(['ReadWriteMany', 'ReadWriteOnce']).default('ReadWriteMany'),
  WEIR_K8S_NOT_READY_SECONDS: positiveInt(60),
  WEIR_K8S_PROGRESS_DEADLINE_SECONDS: positiveInt(600),
  WEIR_DOCKER_NETWORK_MODE: z.string().default('pipeline'),
  WEIR_DOCKER_PULL: z.enum(['true', 'false']).default('true'),
  WEIR_STOP_GRACE_SECONDS: positiveInt(DEFAULT_PIPELINE_SETTINGS.stop_grace_seconds),
  WEIR_STOP_DEADLINE_SECONDS: positiveInt(DEFAULT_PIPELINE_SETTINGS.stop_deadline_seconds),
  WEIR_READY_TIMEOUT_SECONDS: positiveInt(DEFAULT_PIPELINE_SETTINGS.ready_timeout_seconds),
  WEIR_MAX_ATTEMPTS: positiveInt(DEFAULT_PIPELINE_SETTINGS.max_attempts),
  WEIR_RETRY_INITIAL_SECONDS: positiveInt(DEFAULT_PIPELINE_SETTINGS.initial_retry_interval_seconds),
  WEIR_RETRY_MAX_SECONDS: positiveInt(DEFAULT_PIPELINE_SETTINGS.max_retry_interval_seconds),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/**
 * How Weir authenticates to NATS. `jwt`: the worker signs its own user and one user per component with the signing key of
 * `account`, each component allowed only its own subjects. `none`: no credentials, and no isolation between pipelines.
 */
export type NatsAuthConfig = { mode: 'jwt'; account: string; signingKeyFile: string } | { mode: 'none' };

export interface WeirConfig {
  temporal: { address: string; namespace: string };
  nats: { url: string; componentUrl: string; auth: NatsAuthConfig };
  /**
   * secretsDir: where the worker reads the values of components' `secret_env`; none when undefined.
   * metrics: where the worker serves its metrics, behind `api.token` when one is set; port 0 serves none.
   */
  worker: { maxConcurrentActivities: number; secretsDir?: string; metrics: { host: string; port: number } };
  api: {
    host: string;
    port: number;
    token?: string;
    /** Browser origins that may send state-changing requests, besides the API's own. */
    allowedOrigins: string[];
    /** Host names the API answers to besides its bind address (and loopback names when bound to loopback). */
    allowedHosts: string[];
    /** The Temporal Web UI the status page links each pipeline's workflow to. */
    temporalUiUrl: string;
    updateTimeoutMs: number;
    deleteTimeoutMs: number;
  };
  orchestrator: 'docker' | 'kubernetes';
  docker: { networkMode: string; pullMissingImages: boolean };
  kubernetes: KubernetesConfig;
  pipelineSettings: PipelineSettings;
  logLevel: string;
}

export interface KubernetesConfig {
  /** A kubeconfig file; undefined: the in-cluster service account. */
  kubeconfig?: string;
  /** The one namespace Weir works in. */
  namespace: string;
  /** Test-only: components share the node's network namespace, so test traffic stays on loopback. */
  hostNetwork: boolean;
  nodeSelector: Record<string, string>;
  imagePullPolicy: 'IfNotPresent' | 'Always' | 'Never';
  /** A PersistentVolumeClaim of this class per pipeline at /weir-data; undefined: an emptyDir per pod. */
  volume?: { storageClass: string; size: string; accessMode: 'ReadWriteMany' | 'ReadWriteOnce' };
  /** How long a pod of a Running pipeline may stay not Ready before the pipeline fails. */
  notReadySeconds: number;
  progressDeadlineSeconds: number;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/** Reads Weir's configuration from environment variables; throws naming every invalid variable. */
/** The Temporal namespace Weir uses, read alone: the services that serve it start before the rest is configured. */
export function temporalNamespaceOf(env: NodeJS.ProcessEnv = process.env): string {
  return environmentSchema.pick({ TEMPORAL_NAMESPACE: true }).parse(env).TEMPORAL_NAMESPACE;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): WeirConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if (!e.WEIR_API_TOKEN && !LOOPBACK_HOSTS.has(e.WEIR_API_HOST)) {
    throw new Error(
      `invalid configuration: WEIR_API_HOST=${e.WEIR_API_HOST} needs WEIR_API_TOKEN; without a token the API binds to 127.0.0.1 only`,
    );
  }
  if (!e.WEIR_API_TOKEN && !LOOPBACK_HOSTS.has(e.WEIR_WORKER_METRICS_HOST)) {
    throw new Error(
      `invalid configuration: WEIR_WORKER_METRICS_HOST=${e.WEIR_WORKER_METRICS_HOST} needs WEIR_API_TOKEN; without a token the worker's metrics bind to 127.0.0.1 only`,
    );
  }
  return {
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE },
    nats: { url: e.NATS_URL, componentUrl: e.WEIR_COMPONENT_NATS_URL ?? e.NATS_URL, auth: natsAuth(e) },
    worker: {
      maxConcurrentActivities: e.WEIR_WORKER_MAX_ACTIVITIES,
      secretsDir: e.WEIR_SECRETS_DIR,
      metrics: { host: e.WEIR_WORKER_METRICS_HOST, port: e.WEIR_WORKER_METRICS_PORT },
    },
    api: {
      host: e.WEIR_API_HOST,
      port: e.WEIR_API_PORT,
      token: e.WEIR_API_TOKEN,
      allowedOrigins: e.WEIR_API_ALLOWED_ORIGINS,
      allowedHosts: e.WEIR_API_ALLOWED_HOSTS,
      temporalUiUrl: e.WEIR_TEMPORAL_UI_URL.replace(/\/+$/, ''),
      updateTimeoutMs: e.WEIR_UPDATE_TIMEOUT_MS,
      deleteTimeoutMs: e.WEIR_DELETE_TIMEOUT_MS,
    },
    orchestrator: e.WEIR_ORCHESTRATOR,
    docker: { networkMode: e.WEIR_DOCKER_NETWORK_MODE, pullMissingImages: e.WEIR_DOCKER_PULL === 'true' },
    kubernetes: {
      kubeconfig: e.KUBECONFIG,
      namespace: e.WEIR_K8S_NAMESPACE,
      hostNetwork: e.WEIR_K8S_HOST_NETWORK === 'true',
      nodeSelector: Object.fromEntries(e.WEIR_K8S_NODE_SELECTOR.map((term) => term.split('=') as [string, string])),
      imagePullPolicy: e.WEIR_K8S_IMAGE_PULL_POLICY,
      volume: e.WEIR_K8S_STORAGE_CLASS
        ? { storageClass: e.WEIR_K8S_STORAGE_CLASS, size: e.WEIR_K8S_VOLUME_SIZE, accessMode: e.WEIR_K8S_VOLUME_ACCESS_MODE }
        : undefined,
      notReadySeconds: e.WEIR_K8S_NOT_READY_SECONDS,
      progressDeadlineSeconds: e.WEIR_K8S_PROGRESS_DEADLINE_SECONDS,
    },
    pipelineSettings: {
      stop_grace_seconds: e.WEIR_STOP_GRACE_SECONDS,
      stop_deadline_seconds: e.WEIR_STOP_DEADLINE_SECONDS,
      ready_timeout_seconds: e.WEIR_READY_TIMEOUT_SECONDS,
      max_attempts: e.WEIR_MAX_ATTEMPTS,
      initial_retry_interval_seconds: e.WEIR_RETRY_INITIAL_SECONDS,
      max_retry_interval_seconds: e.WEIR_RETRY_MAX_SECONDS,
    },
    logLevel: e.LOG_LEVEL,
  };
}

function natsAuth(e: z.infer<typeof environmentSchema>): NatsAuthConfig {
  if (e.WEIR_NATS_AUTH === 'none') return { mode: 'none' };
  if (!e.WEIR_NATS_ACCOUNT || !e.WEIR_NATS_SIGNING_KEY_FILE) {
    throw new Error(
      'invalid configuration: WEIR_NATS_ACCOUNT and WEIR_NATS_SIGNING_KEY_FILE are required, so that each pipeline gets NATS ' +
        'credentials for its own streams only (see docs/security-nats.md); WEIR_NATS_AUTH=none runs without them and without isolation',
    );
  }
  return { mode: 'jwt', account: e.WEIR_NATS_ACCOUNT, signingKeyFile: e.WEIR_NATS_SIGNING_KEY_FILE };
}
