// Start-up (issue 22): the CLI and the Node entry import only what they use, so a command pays for
// its own dependencies and `import('mapwise')` for none of the heavy ones. Checked on the build's
// static import graph (what Node loads before any code runs), not on timings: those are
// `npm run bench -- startup`'s job.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { expect, it } from 'vitest';

/** Every file a built module loads statically (relative imports and bare packages), itself included. */
function staticGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    if (!file.endsWith('.js') || !existsSync(file)) return;
    const code = readFileSync(file, 'utf8');
    for (const [, spec] of code.matchAll(/^\s*(?:import|export)\s+(?:[\w$*{}\s,]+from\s*)?['"]([^'"]+)['"]/gm)) {
      if (spec!.startsWith('.')) visit(join(dirname(file), spec!));
      else seen.add(`package:${spec}`);
    }
  };
  visit(entry);
  return [...seen].map((f) => (f.startsWith('package:') ? f : relative('dist', f)));
}

const HEAVY = [/^package:(vega|vega-lite|highs|cli-progress|@resvg\/resvg-wasm|onnx-proto|protobufjs)$/, /vendor\/onnx-proto/, /^src\/(codesign|sched|rl|report|compile)\//, /^src\/tune\/tuners\//];
const heavy = (files: string[]): string[] => files.filter((f) => HEAVY.some((h) => h.test(f)));

it('the CLI shell loads no command\'s dependencies, and yargs only when there is parsing to do', () => {
  const graph = staticGraph('dist/cli/index.js');
  expect(graph).toContain('src/node/runtime.js');
  expect(graph).not.toContain('package:yargs');
  expect(heavy(graph)).toEqual([]);
  expect(graph.filter((f) => f.startsWith('cli/commands/')).sort()).toEqual(['cli/commands/index.js', 'cli/commands/lazy.js']);
});

it('info and zoo load the core and the zoo, not the schedulers, tuners, plots or the ONNX decoder', () => {
  expect(heavy(staticGraph('dist/cli/commands/info.js'))).toEqual([]);
  expect(heavy(staticGraph('dist/cli/commands/zoo.js'))).toEqual([]);
});

it("import('mapwise') in Node loads none of the heavy parts; they load with the call that needs them", () => {
  const graph = staticGraph('dist/src/node/index.js');
  expect(graph).toContain('src/run/index.js'); // createSession stays a plain export
  expect(heavy(graph)).toEqual([]);
  const run = spawnSync('node', ['--experimental-wasm-relaxed-simd', '--input-type=module', '-e', `
    const m = await import('mapwise');
    const graph = await m.loadModel('test/fixtures/models/mobilenet_v2.onnx');
    const bytes = await m.exportOnnx(await m.loadModel('alexnet'));
    const back = await m.modelFromBytes(bytes, 'alexnet.onnx');
    const parts = await m.codesignParts();
    console.log(JSON.stringify({ nodes: graph.nodes.length, roundTrip: back.nodes.length, strategies: parts.STRATEGIES.length }));
  `], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout);
  expect(result.nodes).toBeGreaterThan(50);
  expect(result.roundTrip).toBeGreaterThan(5);
  expect(result.strategies).toBeGreaterThan(3);
});

it('the Deno edge entry parses only the core\'s loader and the handler before its first request; each route loads its own parts', () => {
  const graph = staticGraph('dist/src/edge/deno.js');
  expect(graph).toContain('src/edge/handler.js');
  expect(graph.filter((f) => /^src\/(api\/(?!check)|graph\/(?!types)|sim|sched|hw|run)\//.test(f) || f.startsWith('package:'))).toEqual([]);
});

it('mapwise --version answers without yargs, with the package version; yargs still handles --version among other flags', () => {
  const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
  const fast = spawnSync('node', ['bin/mapwise.js', '--version'], { encoding: 'utf8' });
  expect(fast.status, fast.stderr).toBe(0);
  expect(fast.stdout).toBe(`${version}\n`);
  const parsed = spawnSync('node', ['bin/mapwise.js', '--version', '--json'], { encoding: 'utf8' });
  expect(parsed.status, parsed.stderr).toBe(0);
  expect(parsed.stdout.trim()).toBe(version);
});

it('yargs loads as one bundled module, not from node_modules, and still finds its translations', () => {
  // A loader hook that reports every module Node loads from node_modules.
  const hook = `data:text/javascript,${encodeURIComponent("export async function load(url, context, next) { if (url.includes('/node_modules/')) process._rawDebug(`loaded ${url}`); return next(url, context); }")}`;
  const register = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(hook)});`)}`;
  const help = spawnSync('node', ['--import', register, 'bin/mapwise.js', 'simulate', '--help'], { encoding: 'utf8' });
  expect(help.status, help.stderr).toBe(0);
  expect(help.stdout).toContain('--dataflow');
  expect(help.stderr).not.toMatch(/loaded /);
  const german = spawnSync('node', ['bin/mapwise.js', 'info', '--bogus'], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'de_DE.UTF-8' } });
  expect(german.status).toBe(2);
  expect(german.stderr).toMatch(/Unbekanntes Argument: bogus/);
});

it('a command\'s own --help still lists its options (loaded with the command)', () => {
  const help = spawnSync('node', ['bin/mapwise.js', 'simulate', '--help'], { encoding: 'utf8' });
  expect(help.status, help.stderr).toBe(0);
  for (const option of ['--config', '--target', '--dataflow', '--energy-table', '--user-work-limit']) expect(help.stdout).toContain(option);
});

it('info and zoo run around yargs with only --json, and through it (strict as ever) with anything else', () => {
  const zoo = spawnSync('node', ['bin/mapwise.js', 'zoo', '--json'], { encoding: 'utf8' });
  expect(zoo.status, zoo.stderr).toBe(0);
  expect(JSON.parse(zoo.stdout).models.length).toBeGreaterThan(10);
  const text = spawnSync('node', ['bin/mapwise.js', 'zoo'], { encoding: 'utf8' });
  expect(text.stdout).toMatch(/^name\s+nodes\s+params/);
  const bad = spawnSync('node', ['bin/mapwise.js', 'info', '--bogus'], { encoding: 'utf8' });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/Unknown argument: bogus/);
  const help = spawnSync('node', ['bin/mapwise.js', 'zoo', '--help'], { encoding: 'utf8' });
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/mapwise zoo\n\nList the built-in models/);
});

it('simulate runs each distinct layer shape once and still writes SCALE-Sim\'s reports byte for byte (ResNet-18 repeats 9 of its 21 layers)', () => {
  const golden = 'test/golden/sim/google-Resnet18-os';
  const out = mkdtempSync(join(tmpdir(), 'mapwise-startup-'));
  try {
    const run = spawnSync('node', ['bin/mapwise.js', 'simulate', '--config', join(golden, 'config.cfg'), '--topology', join(golden, 'topology.csv'), '--out', out, '--json'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    for (const file of ['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv']) {
      expect(readFileSync(join(out, file), 'utf8')).toBe(readFileSync(join(golden, file), 'utf8'));
    }
    const names = readFileSync(join(golden, 'topology.csv'), 'utf8').trim().split('\n').slice(1).map((row) => row.split(',')[0]!.trim());
    expect(JSON.parse(run.stdout).layers.map((l: { name: string }) => l.name)).toEqual(names);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
