// The simulate facade takes SCALE-Sim's files as text (what `mapwise simulate --config --topology`
// reads): its reports equal SCALE-Sim v3's own for the same files, and mistakes name the option,
// or the file and line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.js';
import { scalesimReports } from '../../src/sim/report.js';
import { TopologyError } from '../../src/sim/topology.js';

const RUN = 'test/golden/scalesim-v3/runs/sparse-user-os-csr-mnk';
const text = (file: string) => ({ text: readFileSync(join(RUN, file), 'utf8'), source: join(RUN, file) });

describe('simulate with SCALE-Sim files', () => {
  it('a v3 config and GEMM topology give v3\'s own four reports byte for byte, and the v3 additions in the report', async () => {
    const report = await simulate({ ...text('topology.csv'), gemm: true }, { scalesimConfig: text('config.cfg') });
    expect(report.model).toBe('topology');
    expect(report.scalesim).toMatchObject({ version: 3, notModelled: [] });
    const reports = scalesimReports(report.layers, 3);
    for (const file of ['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv', 'SPARSE_REPORT.csv'] as const) {
      expect(reports[file], file).toBe(readFileSync(join(RUN, file), 'utf8'));
    }
  });

  it('refuses mistakes naming the option, or the file and line', async () => {
    const topology = { ...text('topology.csv'), gemm: true };
    await expect(simulate(topology, { scalesimConfig: text('config.cfg'), target: 'systolic' })).rejects.toThrow("simulate: give either option 'target' or 'scalesimConfig', not both");
    await expect(simulate(topology, { scalesimConfig: { source: 'x.cfg' } as never })).rejects.toThrow(/option scalesimConfig: field 'text' is required/);
    await expect(simulate(topology, { scalesimConfig: { text: '', sorce: 'x' } as never })).rejects.toThrow(/option scalesimConfig: unknown field 'sorce'/);
    await expect(simulate({ ...topology, gemm: 'yes' } as never)).rejects.toThrow(/simulate: model: field 'gemm' must be true or false, got 'yes'/);
    await expect(simulate({ ...topology, gemmm: true } as never)).rejects.toThrow(/simulate: model: unknown field 'gemmm'/);
    await expect(simulate({ text: 'h,\nConv1, 5, 5, 7, 3, 3, 8, 1,\n', source: 'bad.csv' })).rejects.toThrow(TopologyError);
    await expect(simulate({ text: 'h,\nConv1, 5, 5, 7, 3, 3, 8, 1,\n', source: 'bad.csv' })).rejects.toThrow(/bad\.csv:2: filter height 7 is larger than the IFMAP height 5/);
    await expect(simulate('scalesim:alexnet', { userModeWorkLimit: 0 })).rejects.toThrow(/option 'userModeWorkLimit' must be a positive number, got 0/);
    await expect(simulate('scalesim:alexnet', { target: 'systolic:tpu9' })).rejects.toThrow(/unknown systolic preset 'tpu9'/);
    await expect(simulate('scalesim:alexnet', { energy: { macPJ: -1 } })).rejects.toThrow(/energy table: macPJ must be a non-negative number, got -1/);
  });
});
