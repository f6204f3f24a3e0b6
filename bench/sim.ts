// `npm run bench -- sim [--networks resnet50,mobilenet] [--dataflows os,ws,is] [--presets google,eyeriss,scale]
//                        [--scalesim PATH [--python /usr/bin/python3] [--scalesim-timeout 3600]]`
// Layers per second of the wasm systolic simulator on whole networks; with a scale-sim-v2 checkout,
// SCALE-Sim's own wall time on the same input (whole process, as its CLI runs), the ratio, and
// whether every figure of its three reports agreed (integers equal, ratios to 1e-9). CPU seconds
// (user + system) are reported beside wall seconds for both, since on a shared machine wall time
// mostly measures the other tenants.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCore } from '../src/node/index.js';
import { SYSTOLIC_PRESETS, type SystolicPresetName } from '../src/hw/systolic.js';
import { formatConfig } from '../src/sim/config.js';
import { SCALESIM_NETWORKS, scalesimNetwork, scalesimNetworkCsv } from '../src/sim/networks.js';
import { scalesimReports } from '../src/sim/report.js';
import { Simulator } from '../src/sim/simulate.js';
import type { Dataflow, LayerResult } from '../src/sim/types.js';
import { type Bench, type Row, time } from './harness.js';

const list = (value: unknown, fallback: string): string[] => String(value ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);

/** Every number of two report texts equal to a relative 1e-9 (integers then must be equal). */
function sameReports(a: string, b: string): boolean {
  const numbers = (t: string): number[] => t.trim().split('\n').slice(1).flatMap((l) => l.split(',').map((f) => f.trim()).filter(Boolean).map(Number));
  const x = numbers(a);
  const y = numbers(b);
  return x.length === y.length && x.every((v, i) => v === y[i] || Math.abs(v - y[i]!) <= 1e-9 * Math.max(Math.abs(v), Math.abs(y[i]!)));
}

function runScalesim(checkout: string, python: string, timeoutSeconds: number, cfg: string, csv: string): { seconds: number; cpuSeconds: number; reports: Record<string, string> } | { error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mapwise-scalesim-'));
  try {
    writeFileSync(join(dir, 'run.cfg'), cfg);
    writeFileSync(join(dir, 'topology.csv'), csv);
    // A small Python wrapper reports the CPU time of the SCALE-Sim process it runs.
    const wrapper = 'import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); ' +
      'r = resource.getrusage(resource.RUSAGE_CHILDREN); print("CPU", r.ru_utime + r.ru_stime, file=sys.stderr)';
    const start = performance.now();
    const proc = spawnSync(python, ['-c', wrapper, python, join(checkout, 'scalesim', 'scale.py'), '-c', join(dir, 'run.cfg'), '-t', join(dir, 'topology.csv'), '-p', join(dir, 'out')], {
      env: { ...process.env, PYTHONPATH: checkout, OMP_NUM_THREADS: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: timeoutSeconds * 1000,
    });
    const seconds = (performance.now() - start) / 1e3;
    const cpuSeconds = Number(/CPU ([0-9.e+-]+)/.exec(String(proc.stderr))?.[1] ?? NaN);
    if (proc.status !== 0) return { error: proc.error ? String(proc.error) : `exit ${proc.status}: ${String(proc.stderr).trim().split('\n').slice(-1)[0]}` };
    const reports: Record<string, string> = {};
    for (const file of ['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv']) reports[file] = readFileSync(join(dir, 'out', 'bench', file), 'utf8');
    return { seconds, cpuSeconds, reports };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const simBench: Bench = {
  describe: 'systolic simulator: layers per second on whole networks, and against SCALE-Sim v2 with --scalesim PATH',
  async run({ args, log }) {
    const networks = list(args.networks, 'resnet50,mobilenet');
    const dataflows = list(args.dataflows, 'os,ws,is') as Dataflow[];
    const presets = list(args.presets, 'google,eyeriss,scale') as SystolicPresetName[];
    const checkout = args.scalesim === undefined ? undefined : String(args.scalesim);
    const python = String(args.python ?? '/usr/bin/python3');
    const timeoutSeconds = Number(args.scalesimTimeout ?? 3600);
    for (const n of networks) if (!SCALESIM_NETWORKS.includes(n)) throw new RangeError(`unknown network '${n}'; choose from ${SCALESIM_NETWORKS.join(', ')}`);
    for (const p of presets) if (!(p in SYSTOLIC_PRESETS)) throw new RangeError(`unknown preset '${p}'`);
    const sim = new Simulator(await getCore());
    const rows: Row[] = [];
    for (const network of networks) {
      const layers = scalesimNetwork(network);
      for (const preset of presets) {
        for (const dataflow of dataflows) {
          const config = { ...SYSTOLIC_PRESETS[preset], runName: 'bench', dataflow };
          let results: LayerResult[] = [];
          const cpuBefore = process.cpuUsage();
          const timing = time(() => (results = sim.network(config, layers)), { minRuns: 3, minSeconds: 0.3, maxRuns: 50 });
          const cpu = process.cpuUsage(cpuBefore);
          const cpuPerRun = (cpu.user + cpu.system) / 1e6 / (timing.runs + 1); // time() warms up once
          const row: Row = {
            network, dataflow, preset, layers: layers.length,
            totalCycles: results.reduce((a, r) => a + r.totalCycles, 0),
            mapwiseSeconds: timing.medianSeconds,
            mapwiseCpuSeconds: cpuPerRun,
            layersPerSecond: layers.length / timing.medianSeconds,
          };
          if (checkout) {
            log(`${network} ${preset} ${dataflow}: running SCALE-Sim…`);
            const run = runScalesim(checkout, python, timeoutSeconds, formatConfig(config), scalesimNetworkCsv(network));
            if ('error' in run) {
              log(`  SCALE-Sim failed: ${run.error}`);
              Object.assign(row, { scalesimSeconds: null, ratio: null, scalesimCpuSeconds: null, cpuRatio: null, identical: null });
            } else {
              const ours = scalesimReports(results);
              const identical = Object.entries(run.reports).every(([file, text]) => sameReports(text, ours[file as keyof typeof ours] ?? ''));
              Object.assign(row, {
                scalesimSeconds: run.seconds, ratio: run.seconds / timing.medianSeconds,
                scalesimCpuSeconds: run.cpuSeconds, cpuRatio: run.cpuSeconds / cpuPerRun, identical,
              });
              log(`  SCALE-Sim ${run.seconds.toFixed(1)} s (${run.cpuSeconds.toFixed(1)} s CPU), mapwise ${(timing.medianSeconds * 1e3).toFixed(2)} ms, identical: ${identical}`);
            }
          }
          rows.push(row);
        }
      }
    }
    sim.free();
    return rows;
  },
};
