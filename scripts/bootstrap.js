#!/usr/bin/env node
// Runs before `npm start`, `npm test` and `npm run bench`: installs the locked npm dependencies when they are missing,
// so a fresh clone needs no separate install step. Plain JavaScript because TypeScript tooling may not be installed yet.
const { execSync } = require('node:child_process');
const { existsSync, statSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lockfile = path.join(root, 'package-lock.json');

const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  console.error(`weir: Node.js 20 or newer is required (found ${process.versions.node}).`);
  process.exit(1);
}

const upToDate = existsSync(marker) && statSync(marker).mtimeMs >= statSync(lockfile).mtimeMs;
if (!upToDate) {
  console.error('weir: installing npm dependencies (npm ci) ...');
  try {
    execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
  } catch {
    console.error('weir: npm ci failed; check that the npm registry is reachable and run `npm ci` to see the full error.');
    process.exit(1);
  }
}
