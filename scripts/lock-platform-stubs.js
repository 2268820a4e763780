#!/usr/bin/env node
/**
 * `npm run lock:stubs` — after changing dependencies, run this so that `npm ci` works here.
 *
 * The npm registry these machines reach does not carry every platform build of
 * packages such as @swc/core or unrs-resolver (darwin, win32, ...). npm then
 * leaves those optional dependencies out of package-lock.json, and `npm ci`
 * refuses the lock ("Missing: @swc/core-darwin-arm64@ from lock file"). This
 * adds, for every optional dependency absent from the lock, an entry with its
 * version and the os/cpu/libc its name says: npm ci then accepts the lock and
 * skips them on this platform, as it would with the registry's own metadata.
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const file = join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
const present = new Set(Object.keys(packages).map((k) => k.replace(/^.*node_modules\//, '')));
const OS = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openharmony', 'sunos', 'aix'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'wasm32'];

let added = 0;
for (const entry of Object.values(packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    if (present.has(name)) continue;
    const parts = name.split('/').pop().split('-');
    const os = OS.find((o) => parts.includes(o));
    if (!os) continue; // not a platform build: leave it to npm
    const cpu = CPU.find((c) => parts.some((p) => p === c || p.startsWith(c)));
    const stub = { version: String(range).replace(/^[\^~=]/, ''), optional: true, os: [os] };
    if (cpu) stub.cpu = [cpu];
    if (parts.some((p) => p.startsWith('musl'))) stub.libc = ['musl'];
    else if (parts.some((p) => p.startsWith('gnu'))) stub.libc = ['glibc'];
    packages[`node_modules/${name}`] = stub;
    present.add(name);
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
process.stderr.write(`lock:stubs: ${added} platform entr${added === 1 ? 'y' : 'ies'} added\n`);
