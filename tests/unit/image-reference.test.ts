import fc from 'fast-check';
import { MAX_IMAGE_NAME_LENGTH, checkImageReference } from '../../pipeline/image-reference';

const HEX64 = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);

describe('image reference', () => {
  test.each([
    'busybox',
    'busybox:latest',
    'local/node-base:20',
    'localhost:5000/a/b:1.0',
    `registry.example.com/x/y@sha256:${HEX64}`,
    `busybox:1.36@sha256:${HEX64}`,
    'Registry.Example.com:443/team/app_v2__x--y.z:v1.2_rc-3',
    '[::1]:5000/a',
    'weir-test/health-gated:1',
    'localhost:5000',
    `a:${'t'.repeat(128)}`,
  ])('%s is valid', (reference) => {
    expect(checkImageReference(reference)).toBeUndefined();
  });

  test.each([
    ['../../etc/passwd', 'invalid name'],
    ['busybox/../../../v1.40/containers/json', 'invalid name'],
    ['../../127.0.0.1:9999/probe', 'invalid name'],
    ['busybox$(id)', 'invalid name'],
    ['BUSYBOX:LATEST', 'not lowercase'],
    ['-v', 'invalid name'],
    ['busybox:latest#frag', 'invalid tag'],
    ['', 'must not be empty'],
    [':latest', 'has no name'],
    ['busybox:', 'invalid tag'],
    ['busybox:.hidden', 'invalid tag'],
    [`busybox:${'t'.repeat(129)}`, 'invalid tag'],
    ['busybox@sha256:abc', 'invalid digest'],
    [`busybox@${HEX64}`, 'invalid digest'],
    [`busybox@sha256:${HEX64}@sha256:${HEX64}`, 'invalid digest'],
    ['a//b', 'invalid name'],
    ['a/./b', 'invalid name'],
    ['a/', 'invalid name'],
    ['/a', 'invalid name'],
    ['a..b', 'invalid name'],
    ['a_-b', 'invalid name'],
    ['a___b', 'invalid name'],
    ['busybox latest', 'invalid name'],
    ['busybox\u0000', 'invalid name'],
    ['busybox?x=1', 'invalid name'],
    ['busybox%2F..', 'invalid name'],
    ['http://registry/x', 'invalid name'],
    [`${'a'.repeat(MAX_IMAGE_NAME_LENGTH + 1)}:1`, 'longer than 255'],
  ])('%j is invalid: %s', (reference, why) => {
    expect(checkImageReference(reference)).toContain(why);
  });

  test('names up to 255 characters are valid, whatever the tag adds', () => {
    expect(checkImageReference(`${'a'.repeat(MAX_IMAGE_NAME_LENGTH)}:${'t'.repeat(128)}`)).toBeUndefined();
  });

  const alnum = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 1, maxLength: 6 });
  const separator = fc.constantFrom('.', '_', '__', '-', '---');
  const pathComponent = fc
    .tuple(alnum, fc.array(fc.tuple(separator, alnum), { maxLength: 3 }))
    .map(([first, rest]) => first + rest.map(([sep, part]) => sep + part).join(''));
  const domainLabel = fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,5}[a-zA-Z0-9])?$/);
  const domain = fc
    .tuple(fc.array(domainLabel, { minLength: 1, maxLength: 3 }), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
    .map(([labels, port]) => labels.join('.') + (port === undefined ? '' : `:${port}`));
  const tag = fc.stringMatching(/^[\w][\w.-]{0,20}$/);
  const digest = fc.stringMatching(/^[a-f0-9]{32,64}$/).map((hex) => `sha256:${hex}`);
  const reference = fc
    .tuple(
      fc.option(domain, { nil: undefined }),
      fc.array(pathComponent, { minLength: 1, maxLength: 3 }),
      fc.option(tag, { nil: undefined }),
      fc.option(digest, { nil: undefined }),
    )
    .map(
      ([host, path, tagged, digested]) =>
        [host, ...path].filter((part) => part !== undefined).join('/') + (tagged ? `:${tagged}` : '') + (digested ? `@${digested}` : ''),
    );

  test('every reference built from the grammar is valid', () => {
    fc.assert(fc.property(reference, (built) => checkImageReference(built) === undefined));
  });

  test('a valid reference never holds an empty, "." or ".." path segment, nor a character outside the grammar', () => {
    const risky = fc.string({ unit: fc.constantFrom(...'ab1./:@-_%?#$ \u0000[]A'), maxLength: 24 });
    fc.assert(
      fc.property(fc.oneof(risky, reference), (candidate) => {
        if (checkImageReference(candidate) !== undefined) return true;
        const segments = candidate.split('/');
        return (
          /^[A-Za-z0-9._:/@\-[\]+]+$/.test(candidate) && segments.every((segment) => segment !== '' && segment !== '.' && segment !== '..')
        );
      }),
      { numRuns: 2000 },
    );
  });
});
