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
