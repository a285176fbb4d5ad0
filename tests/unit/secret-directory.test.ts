import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { withSecretValues } from '../../activities/component-env';
import { SecretMissingError } from '../../activities/errors';
import { SecretDirectory, maskSecrets } from '../../secret-directory';
import type { PipelineSpec } from '../../pipeline/pipeline-spec';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'weir-secrets-'));
  await writeFile(path.join(dir, 'db-password'), 's3cret\n');
  await writeFile(path.join(dir, 'api-key'), 'line one\nline two\n\n');
  await writeFile(path.join(dir, 'pin'), '123');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const spec = (secretEnv: Record<string, string>): PipelineSpec => ({
  pipeline_id: 'p',
  name: 'P',
  components: [
    { name: 'plain', image: 'busybox:latest', replicas: 1, env: { A: '1' } },
    { name: 'db', image: 'busybox:latest', replicas: 1, env: { A: '1' }, secret_env: secretEnv },
  ],
});

describe('secret directory', () => {
  test('reads a secret without one trailing newline', async () => {
    const secrets = new SecretDirectory(dir);
    expect(await secrets.read('db-password')).toBe('s3cret');
    expect(await secrets.read('api-key')).toBe('line one\nline two\n');
  });

  test('a missing secret, or no directory at all, reads as undefined', async () => {
    expect(await new SecretDirectory(dir).read('absent')).toBeUndefined();
    expect(await new SecretDirectory(undefined).read('db-password')).toBeUndefined();
  });

  test('a name that could leave the directory names no secret', async () => {
    expect(await new SecretDirectory(dir).read('../db-password')).toBeUndefined();
    expect(await new SecretDirectory(path.join(dir, 'sub')).read('../db-password')).toBeUndefined();
  });

  test('secret values are kept apart from the plain env; other components are left alone', async () => {
    const resolved = await withSecretValues(spec({ DB_PASSWORD: 'db-password' }), new SecretDirectory(dir));
    expect(resolved.components.map(({ env, secret_values }) => ({ env, secret_values }))).toEqual([
      { env: { A: '1' }, secret_values: {} },
      { env: { A: '1' }, secret_values: { DB_PASSWORD: 's3cret' } },
    ]);
  });

  test('a missing secret fails without retries, naming the component, the secret and where it was looked for', async () => {
    const missing = withSecretValues(spec({ DB_PASSWORD: 'absent' }), new SecretDirectory(dir));
    await expect(missing).rejects.toThrow(SecretMissingError);
    await expect(missing).rejects.toMatchObject({
      component: 'db',
      retryable: false,
      message: `component db needs secret absent, but it is not in ${dir}`,
    });
    await expect(withSecretValues(spec({ DB_PASSWORD: 'db-password' }), new SecretDirectory(undefined))).rejects.toThrow(
      'no secrets directory is configured (WEIR_SECRETS_DIR on the worker)',
    );
  });

  test('masking replaces the value of every secret the spec names, however often it appears', async () => {
    const text = 'connect s3cret failed; retry with s3cret; exited with code 123';
    const masked = await maskSecrets(text, spec({ DB_PASSWORD: 'db-password', PIN: 'pin', OTHER: 'absent' }), new SecretDirectory(dir));
    // The 3-character pin is too short to mask without garbling the exit code.
    expect(masked).toBe('connect [secret db-password] failed; retry with [secret db-password]; exited with code 123');
    expect(await maskSecrets(text, spec({}), new SecretDirectory(dir))).toBe(text);
  });
});
