import { loadConfig } from '../config';

describe('loadConfig', () => {
  test('defaults follow the design: loopback API on 8080, Temporal on 7233', () => {
    const config = loadConfig({});
    expect(config.api).toMatchObject({ host: '127.0.0.1', port: 8080, token: undefined });
    expect(config.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(config.docker).toEqual({ networkMode: 'pipeline', pullMissingImages: true });
    expect(config.worker).toEqual({ maxConcurrentActivities: 1000, secretsDir: undefined, metrics: { host: '127.0.0.1', port: 9464 } });
  });

  test('the worker reads secrets from WEIR_SECRETS_DIR; an empty value is refused', () => {
    expect(loadConfig({ WEIR_SECRETS_DIR: '/srv/weir/secrets' }).worker.secretsDir).toBe('/srv/weir/secrets');
    expect(() => loadConfig({ WEIR_SECRETS_DIR: '' })).toThrow(/WEIR_SECRETS_DIR/);
  });

  test('refuses a non-loopback bind without a token', () => {
    expect(() => loadConfig({ WEIR_API_HOST: '0.0.0.0' })).toThrow(/WEIR_API_HOST=0.0.0.0 needs WEIR_API_TOKEN/);
    expect(loadConfig({ WEIR_API_HOST: '0.0.0.0', WEIR_API_TOKEN: 'a-long-enough-token' }).api.host).toBe('0.0.0.0');
    expect(() => loadConfig({ WEIR_WORKER_METRICS_HOST: '0.0.0.0' })).toThrow(/WEIR_WORKER_METRICS_HOST=0.0.0.0 needs WEIR_API_TOKEN/);
    expect(loadConfig({ WEIR_WORKER_METRICS_HOST: '0.0.0.0', WEIR_API_TOKEN: 'a-long-enough-token' }).worker.metrics.host).toBe('0.0.0.0');
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
