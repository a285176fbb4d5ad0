import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..');

/** Binaries installed by the scripts; git-ignored. */
export const toolsDir = path.join(repoRoot, '.tools');

/** State kept by `npm start` between runs; git-ignored. */
export const dataDir = path.join(repoRoot, '.data');
