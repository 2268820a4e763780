#!/usr/bin/env node
// Builds dist/ when it is missing or older than any source file (used by `npm start` and `npm run cli`).
const { execSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const stamp = join(root, 'dist', '.build-stamp');
const sources = Math.max(
  newest(join(root, 'src')),
  newest(join(root, 'migrations')),
  statSync(join(root, 'package.json')).mtimeMs,
);
if (!existsSync(stamp) || statSync(stamp).mtimeMs < sources) {
  process.stderr.write('candlekeep: building dist/ ...\n');
  execSync('npm run --silent build', { cwd: root, stdio: ['ignore', 2, 2] });
}
