// The built CLI as a user runs it (needs `npm run build`, which `npm test` does first).
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { expect, it } from 'vitest';

function mapwise(...args: string[]) {
  return spawnSync('node', ['bin/mapwise.js', ...args], { encoding: 'utf8' });
}

it('info --json prints exactly one JSON object naming the loaded flavour and the size of each', () => {
  const run = mapwise('info', '--json');
  expect(run.status, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout);
  expect(result.runtime).toBe('node');
  // bin/mapwise.js enables relaxed SIMD in Node 20, so the fused build is the best one.
  expect(result.flavour).toBe('relaxed');
  expect(result.gemmSelfCheck.passed).toBe(true);
  // Each flavour's size, as the files on disk have it.
  for (const flavour of ['relaxed', 'simd', 'debug']) {
    expect(result.wasmBytes[flavour], flavour).toBe(statSync(`dist/build/mapwise-${flavour}.wasm`).size);
  }
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
});

it('--help lists every command with an example, and an unknown command fails with a hint', async () => {
  const help = mapwise('--help');
  expect(help.status).toBe(0);
  const { commands } = await import('../../cli/commands/index.js');
  for (const command of commands) {
    const name = String(command.command).split(' ')[0];
    expect(help.stdout, name).toMatch(new RegExp(`^  mapwise ${name}\\b.*\\n(.|\\n)*^  mapwise ${name} `, 'm'));
  }
  const bad = mapwise('no-such-command');
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/mapwise --help/);
});
