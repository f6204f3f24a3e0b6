// krittika's own runs (test/golden/krittika/runs/, scripts/krittika-golden.py): every figure of its
// three reports, byte for byte, from mapwise's readers, partitioner and per-core simulation.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { simulateKrittika } from '../../src/sim/krittika.js';
import { parseKrittikaConfig, parseKrittikaPartition, parseKrittikaTopology } from '../../src/sim/krittika-files.js';
import { krittikaReports } from '../../src/sim/krittika-report.js';

const RUNS = fileURLToPath(new URL('../golden/krittika/runs/', import.meta.url));
const cases = readdirSync(RUNS).filter((name) => existsSync(join(RUNS, name, 'meta.json')));

describe('krittika golden runs', () => {
  it('holds the cases scripts/krittika-golden.py writes', () => {
    expect(cases.length).toBeGreaterThanOrEqual(11);
  });

  for (const name of cases) {
    it(`${name}: every report byte for byte`, async () => {
      const read = (file: string) => readFileSync(join(RUNS, name, file), 'utf8');
      const config = parseKrittikaConfig(read('krittika.cfg'), 'krittika.cfg');
      const layers = parseKrittikaTopology(read('topology.csv'), 'topology.csv');
      const partitions = existsSync(join(RUNS, name, 'partition.csv')) ? parseKrittikaPartition(read('partition.csv'), 'partition.csv') : undefined;
      const reports = krittikaReports(simulateKrittika(await getCore(), config, layers, partitions));
      for (const [file, text] of Object.entries(reports)) expect(`${file}\n${text}`).toBe(`${file}\n${read(file)}`);
    });
  }
});
