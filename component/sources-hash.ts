import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** What the image is made of: the component's sources, its Dockerfile, and the lockfile that pins what the bundle includes. */
const SOURCES = ['src', 'Dockerfile', '../package-lock.json'];

/**
 * A short hash of the component's sources, the same in every checkout that has the same sources: it names the image,
 * so checkouts on one engine with different sources never rebuild one tag over each other.
 */
export function componentSourcesHash(componentDir = __dirname): string {
  const hash = createHash('sha256');
  for (const file of SOURCES.flatMap((source) => filesIn(path.join(componentDir, source))).sort()) {
    hash.update(`${path.relative(componentDir, file)}\0`).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 12);
}

function filesIn(entry: string): string[] {
  if (!statSync(entry).isDirectory()) return [entry];
  return readdirSync(entry, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(entry, name))
    .filter((file) => statSync(file).isFile());
}
