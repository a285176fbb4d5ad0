import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { componentSourcesHash } from '../../component/sources-hash';
import { useTemporaryDirectory } from '../support/use-temporary-directory';

const workDir = useTemporaryDirectory('weir-sources-hash-');

/** A checkout with a component of two source files, a Dockerfile and a lockfile; returns its component folder. */
async function checkout(name: string): Promise<string> {
  const component = path.join(workDir(), name, 'component');
  await mkdir(path.join(component, 'src', 'nested'), { recursive: true });
  await writeFile(path.join(component, 'src', 'main.ts'), 'console.log("main");\n');
  await writeFile(path.join(component, 'src', 'nested', 'helper.ts'), 'export const helper = 1;\n');
  await writeFile(path.join(component, 'Dockerfile'), 'FROM base\n');
  await writeFile(path.join(workDir(), name, 'package-lock.json'), '{"lockfileVersion": 3}\n');
  return component;
}

test('checkouts with the same sources get the same hash, whatever their folder', async () => {
  const first = componentSourcesHash(await checkout('first'));
  expect(first).toMatch(/^[0-9a-f]{12}$/);
  expect(componentSourcesHash(await checkout('second'))).toBe(first);
});

test('a change to any source, the Dockerfile or the lockfile changes the hash', async () => {
  const original = componentSourcesHash(await checkout('original'));
  const changes: Array<(root: string) => Promise<void>> = [
    (root) => writeFile(path.join(root, 'component', 'src', 'nested', 'helper.ts'), 'export const helper = 2;\n'),
    (root) => writeFile(path.join(root, 'component', 'src', 'added.ts'), ''),
    (root) => rm(path.join(root, 'component', 'src', 'main.ts')),
    (root) => writeFile(path.join(root, 'component', 'Dockerfile'), 'FROM other\n'),
    (root) => writeFile(path.join(root, 'package-lock.json'), '{"lockfileVersion": 3, "packages": {}}\n'),
    // The same bytes under another name are another source.
    (root) =>
      cp(path.join(root, 'component', 'src', 'main.ts'), path.join(root, 'component', 'src', 'renamed.ts')).then(() =>
        rm(path.join(root, 'component', 'src', 'main.ts')),
      ),
  ];
  const hashes = [];
  for (const [index, change] of changes.entries()) {
    const component = await checkout(`changed-${index}`);
    await change(path.dirname(component));
    hashes.push(componentSourcesHash(component));
  }
  expect(hashes).not.toContain(original);
  expect(new Set(hashes).size).toBe(changes.length);
});
