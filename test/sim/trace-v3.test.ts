// Traces against SCALE-Sim v3's own (test/golden/scalesim-v3/traces/<case>, written by
// scripts/scalesim-v3-traces.py): all six files of every layer byte for byte, CALC and USER, every
// dataflow, a GEMM, layer-wise and row-wise sparsity and custom layouts, through simulateTraces (what
// `mapwise simulate --trace` writes).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { simulate, simulateTraces } from '../../src/api/simulate.js';
import { getCore } from '../../src/core/load.js';
import { SystolicSim } from '../../src/core/sim.js';
import { parseScalesimConfig } from '../../src/sim/config.js';
import { parseScalesimLayout } from '../../src/sim/layout.js';
import { scalesimReports } from '../../src/sim/report.js';
import { layerRamulator, RAMULATOR_OPERANDS, type RamulatorLatencies, ramulatorFile } from '../../src/sim/ramulator.js';
import { readNpyNumbers } from '../../src/run/npy.js';
import { coreArgs, Simulator } from '../../src/sim/simulate.js';
import { parseScalesimTopology } from '../../src/sim/topology.js';

const TRACES_DIR = fileURLToPath(new URL('../golden/scalesim-v3/traces/', import.meta.url));
const TRACE_FILES = ['IFMAP', 'FILTER', 'OFMAP'].flatMap((op) => [`${op}_SRAM_TRACE.csv`, `${op}_DRAM_TRACE.csv`]);
const cases = readdirSync(TRACES_DIR).filter((d) => existsSync(join(TRACES_DIR, d, 'meta.json')));

/** A golden case's inputs as simulate takes them, and v3's traces per layer. */
function load(name: string) {
  const dir = join(TRACES_DIR, name);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  const meta = JSON.parse(read('meta.json')) as { gemm: boolean; layers: number; ramulator?: boolean };
  // Ramulator's latencies as v3 read them: results/_{ifmap,filter,ofmap}File{layer}.npy
  const latencies = (layer: number) => Object.fromEntries(RAMULATOR_OPERANDS.map((op) => [op, readNpyNumbers(new Uint8Array(readFileSync(join(dir, ramulatorFile(op, layer))))).data])) as RamulatorLatencies;
  const options = {
    scalesimConfig: { text: read('config.cfg'), source: `${name}/config.cfg` },
    ...(existsSync(join(dir, 'layout.csv')) ? { scalesimLayout: { text: read('layout.csv'), source: `${name}/layout.csv` } } : {}),
    ...(meta.ramulator ? { ramulatorLatencies: Array.from({ length: meta.layers }, (_, i) => latencies(i)) } : {}),
  };
  const traces = Array.from({ length: meta.layers }, (_, i) =>
    Object.fromEntries(TRACE_FILES.map((f) => [f, gunzipSync(readFileSync(join(dir, `layer${i}`, `${f}.gz`))).toString('utf8')])),
  );
  const reports = Object.fromEntries(['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv'].map((f) => [f, read(f)]));
  return { model: { text: read('topology.csv'), source: `${name}/topology.csv`, gemm: meta.gemm }, options, traces, reports };
}

describe('traces agree with SCALE-Sim v3 byte for byte', () => {
  it('has CALC and USER cases in every dataflow, sparse and custom-layout ones', () => {
    const configs = cases.map((c) => load(c).options.scalesimConfig.text);
    for (const mode of ['CALC', 'USER']) for (const df of ['os', 'ws', 'is']) expect(configs.some((t) => t.includes(`InterfaceBandwidth: ${mode}`) && t.includes(`Dataflow : ${df}`)), `${mode} ${df}`).toBe(true);
    expect(configs.some((t) => t.includes('SparsitySupport : true') && t.includes('OptimizedMapping : false'))).toBe(true);
    expect(configs.some((t) => t.includes('OptimizedMapping : true'))).toBe(true);
    expect(configs.some((t) => /CustomLayout: True/.test(t))).toBe(true);
    expect(configs.filter((t) => t.includes('UseRamulatorTrace: True')).length).toBeGreaterThanOrEqual(3);
  });

  it.each(cases)('%s: the logged run the traces replay gives the figures of the plain one', async (name) => {
    const { model, options } = load(name);
    const file = parseScalesimConfig(options.scalesimConfig.text);
    const layout = 'scalesimLayout' in options ? parseScalesimLayout(options.scalesimLayout.text) : undefined;
    const sim = new SystolicSim(await getCore());
    try {
      for (const [index, layer] of parseScalesimTopology(model.text, name, { gemm: model.gemm }).layers.entries()) {
        const ramulator = layerRamulator(file.config, layer, file.v3, options.ramulatorLatencies, index, (m) => new Error(m));
        const args = { ...coreArgs(file.config, layer, { v3: file.v3, ...(layout ? { layout } : {}) }), ...(ramulator ? { ramulator } : {}) };
        expect(sim.layerWithDramLogs(args).figures, layer.name).toEqual(sim.layer(args));
      }
    } finally {
      sim.free();
    }
  });

  it.each(cases)('%s', async (name) => {
    const { model, options, traces, reports } = load(name);
    // the case's figures are v3's too
    const ours = scalesimReports((await simulate(model, options)).layers, 3);
    for (const [file, text] of Object.entries(reports)) expect(ours[file as keyof typeof ours], file).toBe(text);
    const written = await simulateTraces(model, options);
    expect(written).toHaveLength(traces.length);
    written.forEach((files, layer) => {
      for (const f of TRACE_FILES) expect.soft(files[f], `layer${layer}/${f}`).toBe(traces[layer]![f]);
    });
  });
});

describe('negative base offsets', () => {
  // An offset that puts a word on address -1 (v3's padding marker) gives v3's figures and traces:
  // the offsets-* cases above. Here: those cases do exercise the dropped word, and what stays refused.
  const withOffset = (options: ReturnType<typeof load>['options'], key: string, value: number) => ({
    ...options,
    scalesimConfig: { ...options.scalesimConfig, text: options.scalesimConfig.text.replace(new RegExp(`${key}:\\s+-?\\d+`), `${key}: ${value}`) },
  });

  it.each(cases.filter((c) => c.startsWith('offsets-')))('%s: the word on -1 changes v3\'s figures', async (name) => {
    const { model, options, reports } = load(name);
    let shifted = options;
    for (const key of ['IfmapOffset', 'FilterOffset', 'OfmapOffset']) shifted = withOffset(shifted, key, key === 'IfmapOffset' && 'scalesimLayout' in options ? 0 : 50_000_000);
    const ours = scalesimReports((await simulate(model, shifted)).layers, 3);
    expect(Object.entries(reports).some(([file, text]) => text !== ours[file as keyof typeof ours])).toBe(true);
  });

  it('WS counts the dropped filter word as an idle PE (v3: 89.84 % for 90 %)', async () => {
    const { model, options } = load('offsets-layout-user-ws-conv');
    const [t1] = (await simulate(model, options)).layers;
    expect(t1!.mappingEfficiency).toBe(89.84375);
  });

  it('refuses a word on -1 with N:M sparsity, naming what v3 does', async () => {
    const { model, options } = load('sparse-calc-ws-csr');
    const error = /layer 't1': FilterOffset -5 puts filter word 4 at address -1, SCALE-Sim's padding marker, so v3 \(fab89b7\) never fetches, demands or writes that word, and condenses its sparse operands around it.*give FilterOffset ≥ 0 or < −/;
    await expect(simulate(model, withOffset(options, 'FilterOffset', -5))).rejects.toThrow(error);
    await expect(simulateTraces(model, withOffset(options, 'FilterOffset', -5))).rejects.toThrow(error);
  });

  it('refuses a word on -1 in a v2 run (v2 was not checked)', async () => {
    const { model } = load('calc-ws-conv');
    const sim = new Simulator(await getCore());
    try {
      const layer = parseScalesimTopology(model.text, 'calc-ws-conv', { gemm: false }).layers[0]!;
      const config = { ...parseScalesimConfig(load('calc-ws-conv').options.scalesimConfig.text).config, ofmapOffset: -3 };
      expect(() => sim.layer(config, layer)).toThrow(/layer 't1': OfmapOffset -3 puts ofmap word 2 at address -1.*for SCALE-Sim v3 runs only.*< −256 \(the ofmap's 256 words\)/);
      expect(() => sim.layer({ ...config, ofmapOffset: -257 }, layer)).not.toThrow();
    } finally {
      sim.free();
    }
  });

  it('refuses the word on -1 when it is the whole ofmap (v3 writes nothing and fails)', async () => {
    const { options } = load('offsets-calc-ws-conv');
    const model = { text: 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nL, 2, 4, 2, 4, 4, 1, 2,\n', source: 'one.csv', gemm: false };
    await expect(simulate(model, withOffset(options, 'OfmapOffset', -1))).rejects.toThrow(/OfmapOffset -1 puts ofmap word 0 at address -1.*its only word, so v3 writes nothing and fails \(write_buffer.py: 'Traces not ready yet'\)/);
    await expect(simulate(model, withOffset(options, 'OfmapOffset', -2))).resolves.toBeDefined();
  });

  it('refuses IfmapOffset ≠ 0 with a custom ifmap layout, as before', async () => {
    const { model, options } = load('layout-user-ws-conv');
    await expect(simulate(model, withOffset(options, 'IfmapOffset', -7))).rejects.toThrow(/IfmapCustomLayout needs IfmapOffset 0, got -7/);
  });
});
