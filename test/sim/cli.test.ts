// `mapwise simulate` as a user runs it (needs `npm run build`): a shell over the library's simulate.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { importOnnx, simulate } from '../../src/node/index.js';
import { GOLDEN_DIR } from './golden.js';

function mapwise(...args: string[]) {
  return spawnSync('node', ['bin/mapwise.js', 'simulate', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

describe('mapwise simulate', () => {
  const golden = join(GOLDEN_DIR, 'google-alexnet-is');

  it('--out writes SCALE-Sim\'s three reports byte for byte; --json prints one object with the layers', () => {
    const out = mkdtempSync(join(tmpdir(), 'mapwise-sim-'));
    try {
      const run = mapwise('--config', join(golden, 'config.cfg'), '--topology', join(golden, 'topology.csv'), '--out', out, '--json');
      expect(run.status, run.stderr).toBe(0);
      for (const file of ['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv']) {
        expect(readFileSync(join(out, file), 'utf8')).toBe(readFileSync(join(golden, file), 'utf8'));
      }
      expect(run.stdout.trim().split('\n')).toHaveLength(1);
      const r = JSON.parse(run.stdout);
      expect(r.layers).toHaveLength(5);
      const l = r.layers[0];
      for (const key of ['name', 'totalCycles', 'stallCycles', 'overallUtilization', 'mappingEfficiency', 'computeUtilization']) expect(l).toHaveProperty(key);
      for (const key of ['sramReads', 'sramWrites', 'dramReads', 'dramWrites']) expect(Object.keys(l[key]).sort()).toEqual(['filter', 'ifmap', 'ofmap']);
      expect(l.totalCycles).toBe(Number(readFileSync(join(golden, 'COMPUTE_REPORT.csv'), 'utf8').split('\n')[1]!.split(',')[1]));
      expect(l.energy.totalPJ).toBeGreaterThan(0);
      expect(Object.keys(l.maxDramBandwidth).sort()).toEqual(['filter', 'ifmap', 'ofmap']);
      const extra = readFileSync(join(out, 'MAPWISE_DRAM_BANDWIDTH_REPORT.csv'), 'utf8').split('\n');
      expect(extra[1]!.replace(/,$/, '').split(', ').map(Number).slice(1)).toEqual([
        l.dramBandwidth.ifmap, l.maxDramBandwidth.ifmap, l.dramBandwidth.filter, l.maxDramBandwidth.filter, l.dramBandwidth.ofmap, l.maxDramBandwidth.ofmap,
      ]);
      expect(JSON.parse(readFileSync(join(out, 'REPORT.json'), 'utf8')).totals.totalCycles).toBe(r.totals.totalCycles);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  const TRACES = ['IFMAP', 'FILTER', 'OFMAP'].flatMap((op) => [`${op}_SRAM_TRACE.csv`, `${op}_DRAM_TRACE.csv`]);
  it('--trace writes the six SCALE-Sim traces of each layer, v2\'s or v3\'s byte for byte', () => {
    const small = join(GOLDEN_DIR, 'r21-conv-os');
    const v3 = fileURLToPath(new URL('../golden/scalesim-v3/traces/layout-user-ws-conv/', import.meta.url));
    const out = mkdtempSync(join(tmpdir(), 'mapwise-sim-'));
    try {
      const run = mapwise('--config', join(small, 'config.cfg'), '--topology', join(small, 'topology.csv'), '--out', out, '--trace');
      expect(run.status, run.stderr).toBe(0);
      for (const file of TRACES) expect(readFileSync(join(out, 'layer0', file), 'utf8'), file).toBe(readFileSync(join(small, 'traces', file), 'utf8'));
      const v3run = mapwise('--config', join(v3, 'config.cfg'), '--topology', join(v3, 'topology.csv'), '--layout', join(v3, 'layout.csv'), '--out', join(out, 'v3'), '--trace');
      expect(v3run.status, v3run.stderr).toBe(0);
      for (const file of TRACES) {
        expect(readFileSync(join(out, 'v3', 'layer1', file), 'utf8'), file).toBe(gunzipSync(readFileSync(join(v3, 'layer1', `${file}.gz`))).toString('utf8'));
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('simulates a zoo model on a preset, with a dataflow override', () => {
    const run = mapwise('alexnet', '--target', 'systolic:google', '--dataflow', 'os', '--json');
    expect(run.status, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout);
    expect(r.config).toMatchObject({ rows: 256, cols: 256, dataflow: 'os' });
    expect(r.totals.macs).toBe(714_188_480);
  });

  it('reports bad input with the file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapwise-sim-'));
    try {
      writeFileSync(join(dir, 'bad.csv'), 'h,\nConv1, 5, 5, 7, 3, 3, 8, 1,\n');
      const run = mapwise('--target', 'systolic:eyeriss', '--topology', join(dir, 'bad.csv'));
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/bad\.csv:2: filter height 7 is larger than the IFMAP height 5/);
      const preset = mapwise('--target', 'systolic:tpu9', '--topology', join(dir, 'bad.csv'));
      expect(preset.stderr).toMatch(/unknown systolic preset 'tpu9'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The command reads files and flags into the library's inputs and prints the library's report as
// it is: both directions of the shell, over the kinds of model and array it takes.
describe('mapwise simulate --json is the library\'s simulate for the same inputs', () => {
  const timeless = ({ simulatorSeconds, ...rest }: { simulatorSeconds: number }) => (expect(simulatorSeconds).toBeGreaterThan(0), rest);
  const json = (run: ReturnType<typeof mapwise>) => {
    expect(run.status, run.stderr).toBe(0);
    return JSON.parse(run.stdout);
  };
  const text = (file: string) => ({ text: readFileSync(file, 'utf8'), source: file });

  it('a SCALE-Sim v3 config and GEMM topology, with an energy table and overrides', async () => {
    const run = join(GOLDEN_DIR, '../scalesim-v3/runs/sparse-user-os-csr-mnk');
    const [cfg, csv] = [join(run, 'config.cfg'), join(run, 'topology.csv')];
    const cli = json(mapwise('--config', cfg, '--topology', csv, '--gemm', '--energy-table', 'eyeriss', '--energy', 'macPJ=0.5, dramPJPerWord=100', '--json'));
    const lib = await simulate({ ...text(csv), gemm: true }, { scalesimConfig: text(cfg), energyTable: 'eyeriss', energy: { macPJ: 0.5, dramPJPerWord: 100 } });
    expect(lib.scalesim?.version).toBe(3);
    expect(lib.energyTable.macPJ).toBe(0.5);
    expect(timeless(cli)).toEqual(timeless(lib));
  });

  it('a zoo model on a preset with a dataflow, corrected quirks and a USER-mode limit', async () => {
    const cli = json(mapwise('alexnet', '--target', 'systolic:google', '--dataflow', 'ws', '--fix-scalesim-quirks', '--user-work-limit', '1e9', '--json'));
    const lib = await simulate('alexnet', { target: 'systolic:google', dataflow: 'ws', fixScalesimQuirks: true, userModeWorkLimit: 1e9 });
    expect(lib.config).toMatchObject({ rows: 256, dataflow: 'ws' });
    expect(timeless(cli)).toEqual(timeless(lib));
  });

  it('an ONNX file (the command reads it, the library takes the graph)', async () => {
    const file = 'test/fixtures/models/mobilenet_v2.onnx';
    const cli = json(mapwise(file, '--target', 'systolic:eyeriss', '--json'));
    const lib = await simulate(await importOnnx(readFileSync(file), { source: file }), { target: 'systolic:eyeriss' });
    expect(lib.layers.length).toBeGreaterThan(50);
    expect(timeless(cli)).toEqual(timeless(lib));
  });

  it('--out writes the same report as REPORT.json', () => {
    const golden = join(GOLDEN_DIR, 'google-alexnet-os');
    const out = mkdtempSync(join(tmpdir(), 'mapwise-sim-'));
    try {
      const cli = json(mapwise('--config', join(golden, 'config.cfg'), '--topology', join(golden, 'topology.csv'), '--out', out, '--json'));
      expect(JSON.parse(readFileSync(join(out, 'REPORT.json'), 'utf8'))).toEqual(cli);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
