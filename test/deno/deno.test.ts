// Runs the Deno test files (test/deno/*.deno.js) with the `deno` binary from npm. A failure
// to start Deno fails this test; it is never skipped.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';

it('the Deno tests pass under Deno', () => {
  const files = readdirSync('test/deno').filter((name) => name.endsWith('.deno.js')).map((name) => `test/deno/${name}`);
  expect(files.length).toBeGreaterThan(0);
  // --allow-net for Deno.serve on the loopback address; npm names resolve from node_modules (no download).
  const run = spawnSync('npx', ['deno', 'test', '--allow-read', '--allow-net=127.0.0.1', '--no-prompt', '--no-remote', ...files], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const output = `${run.stdout}\n${run.stderr}`;
  expect(run.error, output).toBeUndefined();
  expect(run.status, output).toBe(0);
  expect(output).toMatch(/ok \| [1-9]\d* passed (\(\d+ steps\) )?\| 0 failed/);
});
