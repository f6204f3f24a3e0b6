// Traces against SCALE-Sim v3's own (test/golden/scalesim-v3/traces/<case>, written by
// scripts/scalesim-v3-traces.py): all six files of every layer byte for byte, CALC and USER, every
// dataflow, a GEMM, layer-wise sparsity and custom layouts, through simulateTraces (what
// `mapwise simulate --trace` writes).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { simulate, simulateTraces } from '../../src/api/simulate.js';
import { scalesimReports } from '../../src/sim/report.js';

const TRACES_DIR = fileURLToPath(new URL('../golden/scalesim-v3/traces/', import.meta.url));
const TRACE_FILES = ['IFMAP', 'FILTER', 'OFMAP'].flatMap((op) => [`${op}_SRAM_TRACE.csv`, `${op}_DRAM_TRACE.csv`]);
const cases = readdirSync(TRACES_DIR).filter((d) => existsSync(join(TRACES_DIR, d, 'meta.json')));

/** A golden case's inputs as simulate takes them, and v3's traces per layer. */
function load(name: string) {
  const dir = join(TRACES_DIR, name);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  const meta = JSON.parse(read('meta.json')) as { gemm: boolean; layers: number };
  const options = {
    scalesimConfig: { text: read('config.cfg'), source: `${name}/config.cfg` },
    ...(existsSync(join(dir, 'layout.csv')) ? { scalesimLayout: { text: read('layout.csv'), source: `${name}/layout.csv` } } : {}),
  };
  const traces = Array.from({ length: meta.layers }, (_, i) =>
    Object.fromEntries(TRACE_FILES.map((f) => [f, gunzipSync(readFileSync(join(dir, `layer${i}`, `${f}.gz`))).toString('utf8')])),
  );
  return { model: { text: read('topology.csv'), source: `${name}/topology.csv`, gemm: meta.gemm }, options, traces, report: read('COMPUTE_REPORT.csv') };
}

describe('traces agree with SCALE-Sim v3 byte for byte', () => {
  it('has CALC and USER cases in every dataflow, sparse and custom-layout ones', () => {
    const configs = cases.map((c) => load(c).options.scalesimConfig.text);
    for (const mode of ['CALC', 'USER']) for (const df of ['os', 'ws', 'is']) expect(configs.some((t) => t.includes(`InterfaceBandwidth: ${mode}`) && t.includes(`Dataflow : ${df}`)), `${mode} ${df}`).toBe(true);
    expect(configs.some((t) => t.includes('SparsitySupport : true'))).toBe(true);
    expect(configs.some((t) => /CustomLayout: True/.test(t))).toBe(true);
  });

  it.each(cases)('%s', async (name) => {
    const { model, options, traces, report } = load(name);
    // the case's figures are v3's too
    expect(scalesimReports((await simulate(model, options)).layers, 3)['COMPUTE_REPORT.csv']).toBe(report);
    const ours = await simulateTraces(model, options);
    expect(ours).toHaveLength(traces.length);
    ours.forEach((files, layer) => {
      for (const f of TRACE_FILES) expect.soft(files[f], `layer${layer}/${f}`).toBe(traces[layer]![f]);
    });
  });
});
