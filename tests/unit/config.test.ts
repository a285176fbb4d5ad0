import { loadConfig } from '../../config';

const ACCOUNT = `A${'B'.repeat(55)}`;
const NATS_KEYS = { WEIR_NATS_ACCOUNT: ACCOUNT, WEIR_NATS_SIGNING_KEY_FILE: '/srv/weir/account-signing.nk' };

describe('loadConfig', () => {
  test('defaults follow the design: loopback API on 8080, Temporal on 7233, NATS on 4222 with per-component credentials', () => {
    const config = loadConfig(NATS_KEYS);
    expect(config.nats).toEqual({
      url: 'nats://127.0.0.1:4222',
      componentUrl: 'nats://127.0.0.1:4222',
      auth: { mode: 'jwt', account: ACCOUNT, signingKeyFile: '/srv/weir/account-signing.nk' },
    });
    expect(config.api).toMatchObject({ host: '127.0.0.1', port: 8080, token: undefined });
    expect(config.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(config.docker).toEqual({ networkMode: 'pipeline', pullMissingImages: true });
    expect(config.worker).toEqual({ maxConcurrentActivities: 1000, secretsDir: undefined, metrics: { host: '127.0.0.1', port: 9464 } });
  });

  test('Docker is the default orchestrator; Kubernetes works in namespace weir with restricted defaults', () => {
    expect(loadConfig(NATS_KEYS).orchestrator).toBe('docker');
    const config = loadConfig({ ...NATS_KEYS, WEIR_ORCHESTRATOR: 'kubernetes' });
    expect(config.orchestrator).toBe('kubernetes');
    expect(config.kubernetes).toEqual({
      kubeconfig: undefined,
      namespace: 'weir',
      hostNetwork: false,
      nodeSelector: {},
      imagePullPolicy: 'IfNotPresent',
      volume: undefined,
      notReadySeconds: 60,
      progressDeadlineSeconds: 600,
    });
  });

  test('Kubernetes settings are checked against the grammar of what they become', () => {
    const config = loadConfig({
      ...NATS_KEYS,
      KUBECONFIG: '/home/weir/.kube/config',
      WEIR_K8S_NAMESPACE: 'pipelines',
      WEIR_K8S_HOST_NETWORK: 'true',
      WEIR_K8S_NODE_SELECTOR: 'type=kwok, topology.kubernetes.io/zone=eu-1a',
      WEIR_K8S_STORAGE_CLASS: 'fast-rwx',
      WEIR_K8S_VOLUME_SIZE: '5Gi',
    }).kubernetes;
    expect(config).toMatchObject({
      kubeconfig: '/home/weir/.kube/config',
      namespace: 'pipelines',
      hostNetwork: true,
      nodeSelector: { type: 'kwok', 'topology.kubernetes.io/zone': 'eu-1a' },
      volume: { storageClass: 'fast-rwx', size: '5Gi', accessMode: 'ReadWriteMany' },
    });
    expect(() => loadConfig({ ...NATS_KEYS, WEIR_K8S_NAMESPACE: 'Weir_Pipelines' })).toThrow(
      /WEIR_K8S_NAMESPACE: must be a namespace name/,
    );
    expect(() => loadConfig({ ...NATS_KEYS, WEIR_K8S_NODE_SELECTOR: 'type=kwok,bad key=x' })).toThrow(/WEIR_K8S_NODE_SELECTOR/);
    expect(() => loadConfig({ ...NATS_KEYS, WEIR_K8S_VOLUME_SIZE: 'lots' })).toThrow(/WEIR_K8S_VOLUME_SIZE/);
    expect(() => loadConfig({ ...NATS_KEYS, WEIR_ORCHESTRATOR: 'nomad' })).toThrow(/WEIR_ORCHESTRATOR/);
  });

  test('the worker reads secrets from WEIR_SECRETS_DIR; an empty value is refused', () => {
    expect(loadConfig({ ...NATS_KEYS, WEIR_SECRETS_DIR: '/srv/weir/secrets' }).worker.secretsDir).toBe('/srv/weir/secrets');
    expect(() => loadConfig({ ...NATS_KEYS, WEIR_SECRETS_DIR: '' })).toThrow(/WEIR_SECRETS_DIR/);
  });

  test('refuses a non-loopback bind without a token', () => {
    expect(() => loadConfig({ ...NATS_KEYS, WEIR_API_HOST: '0.0.0.0' })).toThrow(/WEIR_API_HOST=0.0.0.0 needs WEIR_API_TOKEN/);
    expect(loadConfig({ ...NATS_KEYS, WEIR_API_HOST: '0.0.0.0', WEIR_API_TOKEN: 'a-long-enough-token' }).api.host).toBe('0.0.0.0');
    expect(() => loadConfig({ ...NATS_KEYS, WEIR_WORKER_METRICS_HOST: '0.0.0.0' })).toThrow(
      /WEIR_WORKER_METRICS_HOST=0.0.0.0 needs WEIR_API_TOKEN/,
    );
    expect(
      loadConfig({ ...NATS_KEYS, WEIR_WORKER_METRICS_HOST: '0.0.0.0', WEIR_API_TOKEN: 'a-long-enough-token' }).worker.metrics.host,
    ).toBe('0.0.0.0');
  });

  test('without NATS keys, refuses to start unless WEIR_NATS_AUTH=none says to run without isolation', () => {
    expect(() => loadConfig({})).toThrow(/WEIR_NATS_ACCOUNT and WEIR_NATS_SIGNING_KEY_FILE are required.*WEIR_NATS_AUTH=none/);
    expect(() => loadConfig({ WEIR_NATS_ACCOUNT: ACCOUNT })).toThrow(/WEIR_NATS_SIGNING_KEY_FILE/);
    expect(loadConfig({ WEIR_NATS_AUTH: 'none' }).nats.auth).toEqual({ mode: 'none' });
    expect(() => loadConfig({ ...NATS_KEYS, WEIR_NATS_ACCOUNT: 'UABC' })).toThrow(/WEIR_NATS_ACCOUNT: must be an account public key/);
    expect(() => loadConfig({ ...NATS_KEYS, WEIR_NATS_AUTH: 'token' })).toThrow(/WEIR_NATS_AUTH/);
  });

  test('names every invalid variable and never echoes the token', () => {
    let message = '';
    try {
      loadConfig({ WEIR_API_PORT: 'eighty', WEIR_API_TOKEN: 'short', WEIR_MAX_ATTEMPTS: '0' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/WEIR_API_PORT/);
    expect(message).toMatch(/WEIR_API_TOKEN: must be at least 16 characters/);
    expect(message).toMatch(/WEIR_MAX_ATTEMPTS/);
    expect(message).not.toContain('short');
  });
});
