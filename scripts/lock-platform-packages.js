// The registry reachable here serves only the Linux x64 build of `deno`, so `npm install`
// leaves deno's other platform packages out of package-lock.json and `npm ci` then refuses
// the lock. This adds them back as optional, platform-bound entries that npm skips on every
// other platform, exactly as a lock made with the full registry would. Run it after any
// `npm install` that rewrites the lock.
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const deno = lock.packages['node_modules/deno'];
const platforms = { 'win32-x64': ['win32', 'x64'], 'win32-arm64': ['win32', 'arm64'], 'darwin-x64': ['darwin', 'x64'], 'darwin-arm64': ['darwin', 'arm64'], 'linux-x64-glibc': ['linux', 'x64'], 'linux-arm64-glibc': ['linux', 'arm64'] };
for (const [name, [os, cpu]] of Object.entries(platforms)) {
  const key = `node_modules/@deno/${name}`;
  lock.packages[key] ??= { version: deno.version, cpu: [cpu], os: [os], dev: true, optional: true, license: 'MIT' };
}
const ordered = Object.keys(lock.packages).sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1));
lock.packages = Object.fromEntries(ordered.map((key) => [key, lock.packages[key]]));
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
