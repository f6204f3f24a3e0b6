// SCALE-Sim v3 with UseRamulatorTrace: the DRAM latencies v3 reads (results/_{ifmap,filter,ofmap}File{layer}.npy)
// through its request-buffered ports, against v3's own runs (scripts/scalesim-v3-golden.py, seeded
// synthetic latencies stored with the reports) and the TypeScript reference.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { parseScalesimConfig } from '../../src/sim/config.js';
import { readNpyNumbers } from '../../src/run/npy.js';
import { RAMULATOR_OPERANDS, type RamulatorLatencies, ramulatorFile } from '../../src/sim/ramulator.js';
import { scalesimReports } from '../../src/sim/report.js';
import { Simulator } from '../../src/sim/simulate.js';
import { parseTopology } from '../../src/sim/topology.js';

const sim = new Simulator(await getCore());
afterAll(() => sim.free());
const RUNS = fileURLToPath(new URL('../golden/scalesim-v3/runs/', import.meta.url));
const REPORTS = ['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv'] as const;
const runs = readdirSync(RUNS).filter((d) => existsSync(join(RUNS, d, 'meta.json')) && JSON.parse(readFileSync(join(RUNS, d, 'meta.json'), 'utf8')).ramulator);

function load(d: string) {
  const read = (f: string) => readFileSync(join(RUNS, d, f), 'utf8');
  const meta = JSON.parse(read('meta.json'));
  const file = parseScalesimConfig(read('config.cfg'), join(d, 'config.cfg'));
  const layers = parseTopology(read('topology.csv'), join(d, 'topology.csv'), { gemm: meta.gemm });
  const latencies: RamulatorLatencies[] = layers.map((_, i) =>
    Object.fromEntries(RAMULATOR_OPERANDS.map((op) => [op, readNpyNumbers(new Uint8Array(readFileSync(join(RUNS, d, ramulatorFile(op, i))))).data])) as RamulatorLatencies,
  );
  return { file, layers, latencies, reports: Object.fromEntries(REPORTS.map((r) => [r, read(r)])) };
}

describe('SCALE-Sim v3 golden runs with UseRamulatorTrace', () => {
  it.each(runs)('%s: its reports as v3 writes them (wasm simulator)', (d) => {
    const { file, layers, latencies, reports } = load(d);
    expect(scalesimReports(sim.network(file.config, layers, { v3: file.v3, ramulator: latencies }), 3)).toEqual(reports);
  });

  it('the latencies matter in every run; the request buffers where the queues fill (small buffers, long latencies)', () => {
    const compute = (d: string, v3: object, ramulator?: RamulatorLatencies[]) => {
      const { file, layers } = load(d);
      return scalesimReports(sim.network(file.config, layers, { v3: { ...file.v3!, ...v3 }, ...(ramulator ? { ramulator } : {}) }), 3)['COMPUTE_REPORT.csv'];
    };
    const unbounded = { readRequestBuffer: 1e9, writeRequestBuffer: 1e9 };
    for (const d of runs) {
      const { latencies, reports } = load(d);
      expect(compute(d, {}), d).not.toBe(reports['COMPUTE_REPORT.csv']);
      const paced = !['ramulator-ws-conv', 'ramulator-is-mnk'].includes(d); // buffers of 512 and 1000, latencies of 0–2 cycles
      expect(compute(d, unbounded, latencies) !== reports['COMPUTE_REPORT.csv'], d).toBe(paced);
    }
  });
});
