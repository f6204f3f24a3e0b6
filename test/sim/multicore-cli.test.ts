// `mapwise simulate` on krittika's files (needs `npm run build`): a shell over simulateMulticore.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { simulateMulticore } from '../../src/node/index.js';

const RUN = fileURLToPath(new URL('../golden/krittika/runs/user-3-os-is-midact/', import.meta.url));
const REPORTS = ['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv'];

function mapwise(...args: string[]) {
  return spawnSync('node', ['bin/mapwise.js', 'simulate', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

describe('mapwise simulate with a krittika config', () => {
  it('is recognised by its [COMPUTE] section: --out gets krittika\'s reports byte for byte, --json is the library\'s report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mapwise-krittika-'));
    try {
      const files = ['--config', join(RUN, 'krittika.cfg'), '--topology', join(RUN, 'topology.csv'), '--partition', join(RUN, 'partition.csv')];
      const run = mapwise(...files, '--out', out, '--json');
      expect(run.status, run.stderr).toBe(0);
      for (const file of REPORTS) expect(readFileSync(join(out, file), 'utf8')).toBe(readFileSync(join(RUN, file), 'utf8'));
      expect(run.stdout.trim().split('\n')).toHaveLength(1);
      const text = (file: string) => ({ text: readFileSync(join(RUN, file), 'utf8'), source: join(RUN, file) });
      const library = await simulateMulticore(text('topology.csv'), { krittikaConfig: text('krittika.cfg'), partition: text('partition.csv') });
      const strip = ({ simulatorSeconds: _, ...rest }: { simulatorSeconds: number }) => rest;
      expect(strip(JSON.parse(run.stdout))).toEqual(JSON.parse(JSON.stringify(strip(library))));
      expect(run.stderr).toMatch(/krittika: per-core SRAMs of 1 KB each/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('refuses SCALE-Sim options and a missing partition file, naming them', () => {
    const base = ['--config', join(RUN, 'krittika.cfg'), '--topology', join(RUN, 'topology.csv')];
    const dataflow = mapwise(...base, '--dataflow', 'os');
    expect(dataflow.status).not.toBe(0);
    expect(dataflow.stderr).toMatch(/a multi-core \(krittika\) run takes --config, --topology, --partition, --out and --json only, not --dataflow/);
    const missing = mapwise(...base);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/partition strategy USER needs krittika's partition file/);
  });
});
