// SRAM traces byte for byte against SCALE-Sim's own (test/golden/sim/<case>/traces).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { sramTraces } from '../../src/sim/trace.js';
import { loadGolden } from './golden.js';

const cases = loadGolden().filter((c) => existsSync(join(c.dir, 'traces')));
const core = await getCore();

describe('SRAM traces agree with SCALE-Sim v2', () => {
  it('has traced cases for the three dataflows', () => expect(new Set(cases.map((c) => c.config.dataflow)).size).toBe(3));
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, golden) => {
    const traces = sramTraces(core, golden.config, golden.layers[0]!);
    expect(traces.ifmap).toBe(readFileSync(join(golden.dir, 'traces', 'IFMAP_SRAM_TRACE.csv'), 'utf8'));
    expect(traces.filter).toBe(readFileSync(join(golden.dir, 'traces', 'FILTER_SRAM_TRACE.csv'), 'utf8'));
    expect(traces.ofmap).toBe(readFileSync(join(golden.dir, 'traces', 'OFMAP_SRAM_TRACE.csv'), 'utf8'));
  });
});
