// `npm run bench -- startup [--json] [--rounds 7] [--skip edge,demo]`
// How fast mapwise starts (issue 22): whole-process wall time of CLI commands against `node -e 0`,
// the library's import time in Node, the edge handler's cold start (spawn to first /health answer)
// under workerd and under Deno against an empty worker in the same runtime, and the bytes the demo
// page loads before a task is picked. Every process runs once per round, the rounds interleave
// the cases (so a busy neighbour slows them all alike), a first round warms the file cache and is
// dropped, and each row gives the median with its target beside it. Whole processes also get their
// CPU time (user + system, `cpuMs`, `cpuOverheadMs`): on a loaded machine wall time mostly measures
// the neighbours, CPU time much less. The SCALE-Sim times are the issue's published figures.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { freePort } from '../src/node/free-port.js';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bench, Row } from './harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/mapwise.js');

/** SCALE-Sim v2's own whole-process seconds for scalesim:resnet18 on systolic:scale (issue 22), not measured here. */
const PUBLISHED_SCALESIM_SECONDS = { os: 209, ws: 226, is: 418 } as const;

const TARGETS = {
  cliOverheadMs: 80, // a command's wall time minus `node -e 0`
  libraryImportMs: 100,
  edgeColdStartMs: 200, // spawn to the first /health answer
  demoFirstLoadBytes: 1_000_000,
  scalesimSpeedup: 1000,
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

/**
 * CPU milliseconds (user + system) of the children this process has waited for, from Linux's
 * /proc/self/stat (10 ms ticks); null elsewhere. On a shared machine a process's CPU time moves
 * far less with the other tenants than its wall time does.
 */
function childrenCpuMs(): number | null {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100; // cutime + cstime, USER_HZ = 100
  } catch {
    return null;
  }
}

/** Wall and CPU milliseconds of one whole process; throws with its stderr if it fails. */
function wallMs(command: string, args: string[]): { ms: number; cpuMs: number | null; stdout: string } {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  const run = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - start;
  const cpuAfter = childrenCpuMs();
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')}: exit ${run.status}: ${run.stderr}`);
  return { ms, cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore, stdout: run.stdout };
}


/** Milliseconds from spawning a server to its first 200 answer on `path` (polled every 2 ms). */
async function coldStartMs(command: string, args: (port: number) => string[], path: string): Promise<number> {
  const port = await freePort();
  const start = performance.now();
  const child: ChildProcess = spawn(command, args(port), { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`${command} exited before answering: ${stderr}`);
      if (performance.now() - start > 30_000) throw new Error(`${command}: no answer on ${path} within 30 s: ${stderr}`);
      const response = await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined);
      if (response) {
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${command}: ${path} answered ${response.status}`);
        return performance.now() - start;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    if (child.pid !== undefined && !exited) process.kill(-child.pid);
  }
}

const WORKERD = join(root, 'node_modules/.bin/workerd');
const DENO = join(root, 'node_modules/.bin/deno');

/** A workerd config serving one worker module on `port`. */
function workerdConfig(dir: string, modules: string, port: number): string {
  const file = join(dir, `workerd-${port}.capnp`);
  writeFileSync(file, [
    'using Workerd = import "/workerd/workerd.capnp";',
    'const config :Workerd.Config = (',
    '  services = [(name = "main", worker = .worker)],',
    `  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],`,
    ');',
    `const worker :Workerd.Worker = (modules = [${modules}], compatibilityDate = "2026-04-01");`,
  ].join('\n'));
  return file;
}

// ---- the demo's bytes ----

/** Relative imports of a built JS file: static ones (loaded with it) and dynamic ones (on demand), plus its worker URLs. */
function importsOf(code: string): { statics: string[]; dynamics: string[] } {
  const statics = [...code.matchAll(/(?:^|[;}\n])\s*import\s*(?:[\w$*{}\s,]*?from\s*)?["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!);
  const dynamics = [
    ...[...code.matchAll(/import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)].map((m) => m[1]!),
    // Vite writes a worker's URL as new URL(`worker-HASH.js`, import.meta.url), beside the importer.
    ...[...code.matchAll(/new URL\(\s*["'`]((?:\.{1,2}\/)?[^"'`/]+\.js)["'`]\s*,\s*import\.meta\.url/g)].map((m) => (m[1]!.startsWith('.') ? m[1]! : `./${m[1]!}`)),
    ...[...code.matchAll(/["'](\/assets\/[^"']+\.js)["']/g)].map((m) => m[1]!),
  ];
  return { statics, dynamics };
}

export interface DemoFigures {
  firstLoadBytes: number;
  firstLoadFiles: string[];
  taskBytes: number; // the worker's static module graph: fetched when the first task starts, before the core
  debugWasmShipped: boolean;
  highsStatic: boolean; // HiGHS in a graph loaded before the exact scheduler asks for it
  duplicateModules: string[]; // chunks of the demo that exist more than once under different hashes
  shippedBytes: number;
}

export function demoFigures(): DemoFigures {
  const dir = join(root, 'dist/web-demo');
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const resolve = (from: string, ref: string): string => (ref.startsWith('/assets/') ? join(dir, ref) : join(dirname(from), ref));
  const page = join(dir, 'index.html');
  const entries = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((r) => !/^[a-z]+:/.test(r)).map((r) => resolve(page, r));
  /** The files a set of entries loads eagerly, and the ones it can load later. */
  const graph = (starts: string[]): { eager: Set<string>; lazy: Set<string> } => {
    const eager = new Set<string>();
    const lazy = new Set<string>();
    const visit = (file: string): void => {
      if (eager.has(file) || !existsSync(file)) return;
      eager.add(file);
      if (!file.endsWith('.js')) return;
      const { statics, dynamics } = importsOf(readFileSync(file, 'utf8'));
      for (const s of statics) visit(resolve(file, s));
      for (const d of dynamics) lazy.add(resolve(file, d));
    };
    for (const s of starts) visit(s);
    for (const f of eager) lazy.delete(f);
    return { eager, lazy };
  };
  const first = graph(entries);
  const size = (files: Iterable<string>): number => [...files].reduce((a, f) => a + statSync(f).size, 0);
  const workers = [...first.lazy].filter((f) => /\/worker-[\w-]+\.js$/.test(f));
  const task = graph(workers);
  // Everything the demo can load: the page, the worker, and what either imports on demand.
  const all = new Set<string>();
  const pending = [...first.eager, ...first.lazy, ...task.eager, ...task.lazy];
  while (pending.length) {
    const f = pending.pop()!;
    if (all.has(f) || !existsSync(f)) continue;
    all.add(f);
    const g = graph([f]);
    pending.push(...g.eager, ...g.lazy);
  }
  const stems = new Map<string, number>();
  for (const f of all) {
    const stem = f.slice(dir.length + 1).replace(/-[\w]{8}(\.\w+)$/, '$1');
    stems.set(stem, (stems.get(stem) ?? 0) + 1);
  }
  const assets = readdirSync(join(dir, 'assets'));
  return {
    firstLoadBytes: Buffer.byteLength(html) + size(first.eager),
    firstLoadFiles: ['index.html', ...[...first.eager].map((f) => f.slice(dir.length + 1))],
    taskBytes: size(task.eager),
    debugWasmShipped: assets.some((a) => a.includes('mapwise-debug')),
    highsStatic: [...first.eager, ...task.eager].some((f) => /\/highs-[\w-]+\.js$/.test(f)),
    duplicateModules: [...stems].filter(([, n]) => n > 1).map(([s]) => s),
    shippedBytes: size(assets.map((a) => join(dir, 'assets', a))),
  };
}

// ---- the bench ----

interface Case {
  name: string;
  kind: 'cli' | 'library' | 'simulate' | 'edge';
  run: () => Promise<number>;
  cpu?: number[]; // CPU milliseconds of each counted run, for whole-process cases
  baseline?: string; // the case whose median is subtracted (the runtime's own start)
  nodeArgs?: string[]; // a Node process's arguments, run once more to count the modules it loads
}

// A loader hook that names every file Node loads as a module (ours and packages', not Node's built-ins).
const MODULE_HOOK = `data:text/javascript,${encodeURIComponent("export async function load(url, context, next) { if (url.startsWith('file:')) process._rawDebug('loaded ' + url); return next(url, context); }")}`;
const REGISTER_MODULE_HOOK = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(MODULE_HOOK)});`)}`;

/** How many files a Node process with these arguments loads as modules: a figure the machine's load does not move. */
function modulesLoaded(args: string[]): number {
  const run = spawnSync(process.execPath, ['--import', REGISTER_MODULE_HOOK, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')}: exit ${run.status}: ${run.stderr}`);
  return new Set(run.stderr.split('\n').filter((line) => line.startsWith('loaded ')).map((line) => line.slice('loaded '.length))).size;
}

export const startupBench: Bench = {
  describe: 'start-up: CLI commands against node -e 0, import of the library, edge cold start, demo first-load bytes (medians of interleaved rounds, targets beside)',
  async run({ args, log }) {
    const rounds = Number(args.rounds ?? 7);
    if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`--rounds must be a positive integer, got ${String(args.rounds)}`);
    const skip = new Set(String(args.skip ?? '').split(',').filter(Boolean));
    const onnx = join(root, 'test/fixtures/models/mobilenet_v2.onnx');
    const node = process.execPath;
    const scratch = mkdtempSync(join(tmpdir(), 'mapwise-startup-'));
    const simulated: Record<string, number> = {};
    const simulatorMs: Record<string, number[]> = {}; // the simulation alone, as the command reports it
    /** A whole-process case: wall time, and its CPU time kept beside it. */
    const timed = (c: Omit<Case, 'run' | 'cpu'>, command: () => { ms: number; cpuMs: number | null }): Case => {
      const self: Case = {
        ...c,
        cpu: [],
        run: async () => {
          const { ms, cpuMs } = command();
          if (cpuMs !== null) self.cpu!.push(cpuMs);
          return ms;
        },
      };
      return self;
    };
    const cli = (name: string, argv: string[]): Case => timed({ name, kind: 'cli', baseline: 'node -e 0', nodeArgs: [bin, ...argv] }, () => wallMs(node, [bin, ...argv]));
    const cases: Case[] = [
      timed({ name: 'node -e 0', kind: 'cli' }, () => wallMs(node, ['-e', '0'])),
      cli('mapwise --version', ['--version']),
      cli('mapwise --help', ['--help']),
      cli('mapwise info', ['info', '--json']),
      cli('mapwise zoo', ['zoo', '--json']),
      cli('mapwise import mobilenet_v2.onnx', ['import', onnx, '--json']),
      {
        name: "import('mapwise')", kind: 'library', nodeArgs: ['--input-type=module', '-e', "await import('mapwise');"],
        // In the process, from before the import to after it: what a program that imports mapwise waits.
        run: async () => Number(wallMs(node, ['--input-type=module', '-e', "const t = performance.now(); await import('mapwise'); process.stdout.write(String(performance.now() - t));"]).stdout),
      },
      ...(['os', 'ws', 'is'] as const).map((dataflow): Case => {
        const argv = [bin, 'simulate', 'scalesim:resnet18', '--target', 'systolic:scale', '--dataflow', dataflow, '--json'];
        return timed({ name: `mapwise simulate scalesim:resnet18 --dataflow ${dataflow}`, kind: 'simulate', nodeArgs: argv }, () => {
          const run = wallMs(node, argv);
          const result = JSON.parse(run.stdout);
          simulated[dataflow] = result.totals.totalCycles;
          simulatorMs[dataflow] = [...(simulatorMs[dataflow] ?? []), result.simulatorSeconds * 1e3];
          return run;
        });
      }),
    ];
    if (!skip.has('edge')) {
      const empty = join(scratch, 'empty.js');
      writeFileSync(empty, "export default { fetch: () => new Response('ok') };\n");
      const edge = join(root, 'dist/edge');
      const mapwiseModules = ['worker.js', 'mapwise-relaxed.wasm', 'mapwise-simd.wasm']
        .map((m) => `(name = "${m}", ${m.endsWith('.js') ? 'esModule' : 'wasm'} = embed "${relative(scratch, join(edge, m))}")`).join(', ');
      const workerd = (modules: string) => (port: number) => ['serve', workerdConfig(scratch, modules, port)];
      const deno = (permissions: string[], script: string) => (port: number) => ['serve', '--port', String(port), '--no-prompt', '--no-remote', ...permissions, script];
      cases.push(
        { name: 'workerd: empty worker', kind: 'edge', run: () => coldStartMs(WORKERD, workerd('(name = "empty.js", esModule = embed "empty.js")'), '/') },
        { name: 'workerd: edge bundle /health', kind: 'edge', baseline: 'workerd: empty worker', run: () => coldStartMs(WORKERD, workerd(mapwiseModules), '/health') },
        { name: 'deno serve: empty', kind: 'edge', run: () => coldStartMs(DENO, deno([], empty), '/') },
        { name: 'deno serve: dist/src/edge/deno.js /health', kind: 'edge', baseline: 'deno serve: empty', run: () => coldStartMs(DENO, deno(['--allow-read=dist/build'], 'dist/src/edge/deno.js'), '/health') },
      );
    }
    const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
    const loadBefore = loadavg()[0]!;
    try {
      for (let r = 0; r <= rounds; r++) {
        log(r === 0 ? 'warm-up round' : `round ${r}/${rounds}`);
        for (const c of cases) {
          const ms = await c.run();
          if (r > 0) samples.get(c.name)!.push(ms);
          else c.cpu?.splice(0);
        }
        if (r === 0) for (const k of Object.keys(simulatorMs)) simulatorMs[k] = [];
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    // Other tenants' load, which every wall time here includes: figures taken at a load near the core count are "under load".
    const machine: Row = { what: 'machine: 1-minute load average before → after, cores', loadBefore: round(loadBefore, 2), loadAfter: round(loadavg()[0]!, 2), cores: availableParallelism() };
    const medians = new Map([...samples].map(([name, xs]) => [name, median(xs)]));
    const rows: Row[] = cases.map((c) => {
      const ms = medians.get(c.name)!;
      const row: Row = { what: c.name, medianMs: round(ms), minMs: round(Math.min(...samples.get(c.name)!)), runs: samples.get(c.name)!.length };
      const overhead = c.baseline ? ms - medians.get(c.baseline)! : undefined;
      if (overhead !== undefined) row.overheadMs = round(overhead);
      if (c.nodeArgs) row.modules = modulesLoaded(c.nodeArgs);
      if (c.cpu?.length) row.cpuMs = round(median(c.cpu));
      const baselineCpu = cases.find((b) => b.name === c.baseline)?.cpu;
      if (c.cpu?.length && baselineCpu?.length) row.cpuOverheadMs = round(median(c.cpu) - median(baselineCpu));
      if (c.kind === 'cli' && ['mapwise --version', 'mapwise info', 'mapwise zoo'].includes(c.name)) {
        Object.assign(row, { target: `overhead ≤ ${TARGETS.cliOverheadMs} ms`, met: overhead! <= TARGETS.cliOverheadMs });
      } else if (c.kind === 'library') {
        Object.assign(row, { target: `≤ ${TARGETS.libraryImportMs} ms`, met: ms <= TARGETS.libraryImportMs });
      } else if (c.kind === 'edge' && c.baseline) {
        Object.assign(row, { target: `first /health ≤ ${TARGETS.edgeColdStartMs} ms`, met: ms <= TARGETS.edgeColdStartMs });
      } else if (c.kind === 'simulate') {
        const dataflow = c.name.slice(-2) as keyof typeof PUBLISHED_SCALESIM_SECONDS;
        const published = PUBLISHED_SCALESIM_SECONDS[dataflow];
        const speedup = (published * 1e3) / ms;
        Object.assign(row, {
          totalCycles: simulated[dataflow] ?? null,
          simulatorMs: round(median(simulatorMs[dataflow] ?? [NaN])),
          publishedScalesimSeconds: published, // SCALE-Sim v2's whole process as issue 22 reports it; not measured here
          speedupVsPublished: round(speedup, 0),
          target: `≥ ${TARGETS.scalesimSpeedup}× the published SCALE-Sim time`,
          met: speedup >= TARGETS.scalesimSpeedup,
        });
      }
      return row;
    });
    rows.push(machine);
    if (!skip.has('demo')) {
      if (!existsSync(join(root, 'dist/web-demo/index.html'))) throw new Error('dist/web-demo/index.html is missing: npm run build:demo');
      const d = demoFigures();
      rows.push({
        what: 'demo first load (bytes before a task is picked)',
        bytes: d.firstLoadBytes,
        files: d.firstLoadFiles,
        taskBytes: d.taskBytes,
        shippedBytes: d.shippedBytes,
        debugWasmShipped: d.debugWasmShipped,
        highsStatic: d.highsStatic,
        duplicateModules: d.duplicateModules,
        target: `≤ ${TARGETS.demoFirstLoadBytes} bytes; no debug wasm, HiGHS on demand, one copy of each module`,
        met: d.firstLoadBytes <= TARGETS.demoFirstLoadBytes && !d.debugWasmShipped && !d.highsStatic && d.duplicateModules.length === 0,
      });
    }
    return rows;
  },
};
