import { componentFingerprint } from '../../activities/component-fingerprint';
import type { ComponentSpec } from '../../pipeline/pipeline-spec';

const component: ComponentSpec = {
  name: 'transform',
  image: 'busybox:latest',
  command: ['sleep', '1'],
  env: { A: '1', B: '2' },
  replicas: 1,
  input: 'raw',
};

test('the fingerprint follows what replicas run as, not how many there are nor the secret values and credentials they get', () => {
  const base = componentFingerprint(component);
  expect(componentFingerprint({ ...component, replicas: 3 })).toBe(base);
  expect(componentFingerprint({ ...component, env: { B: '2', A: '1' } })).toBe(base);
  expect(componentFingerprint({ ...component, secret_values: { WEIR_NATS_CREDS: 'minted-now' } } as ComponentSpec)).toBe(base);
  for (const changed of [
    { ...component, image: 'busybox:1.36' },
    { ...component, command: ['sleep', '2'] },
    { ...component, env: { A: '1', B: '3' } },
    { ...component, input: 'clean' },
    { ...component, output: 'out' },
    { ...component, secret_env: { TOKEN: 'another-secret' } },
  ]) {
    expect(componentFingerprint(changed)).not.toBe(base);
  }
});
