// The wasm simulator against SCALE-Sim v2's own reports (test/golden/sim, from
// scripts/scalesim-golden.py): every integer figure equal, every ratio to 1e-9.
import { afterAll, describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { scalesimReports } from '../../src/sim/report.js';
import { Simulator } from '../../src/sim/simulate.js';
import { loadGolden } from './golden.js';
import { layerFigures } from './figures.js';

const cases = loadGolden();
const sim = new Simulator(await getCore());
afterAll(() => sim.free());

describe('systolic simulator agrees with SCALE-Sim v2', () => {
  it('has a golden set', () => expect(cases.length).toBeGreaterThanOrEqual(30));
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, golden) => {
    const results = sim.network(golden.config, golden.layers);
    expect(results.length).toBe(golden.compute.length);
    results.forEach((result, i) => expect({ layer: i, ...layerFigures(result) }).toEqual({ layer: i, ...layerFigures(golden, i) }));
  });
});

describe('reports are byte-identical to SCALE-Sim v2', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, golden) => {
    const reports = scalesimReports(sim.network(golden.config, golden.layers));
    expect(reports['COMPUTE_REPORT.csv']).toBe(golden.text.compute);
    expect(reports['BANDWIDTH_REPORT.csv']).toBe(golden.text.bandwidth);
    expect(reports['DETAILED_ACCESS_REPORT.csv']).toBe(golden.text.detail);
  });
});
