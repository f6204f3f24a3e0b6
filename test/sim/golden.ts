// Loads the SCALE-Sim v2 golden set (test/golden/sim/<case>/) written by scripts/scalesim-golden.py.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/sim/config.js';
import { parseTopology } from '../../src/sim/topology.js';
import type { ConvLayer, SystolicConfig } from '../../src/sim/types.js';

export const GOLDEN_DIR = fileURLToPath(new URL('../golden/sim/', import.meta.url));

export interface GoldenCase {
  name: string;
  dir: string;
  config: SystolicConfig;
  layers: ConvLayer[];
  gemm: boolean;
  scalesimSeconds: number;
  /** Report rows without the LayerID column, as strings exactly as SCALE-Sim printed them. */
  compute: string[][];
  bandwidth: string[][];
  detail: string[][];
  text: { compute: string; bandwidth: string; detail: string };
}

function rows(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').map((f) => f.trim()).slice(1, -1));
}

export function loadGolden(): GoldenCase[] {
  return readdirSync(GOLDEN_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(GOLDEN_DIR, d.name, 'meta.json')))
    .map((d) => {
      const dir = join(GOLDEN_DIR, d.name);
      const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
      const read = (f: string) => readFileSync(join(dir, f), 'utf8');
      const text = { compute: read('COMPUTE_REPORT.csv'), bandwidth: read('BANDWIDTH_REPORT.csv'), detail: read('DETAILED_ACCESS_REPORT.csv') };
      return {
        name: d.name,
        dir,
        config: parseConfig(read('config.cfg'), join(dir, 'config.cfg')),
        layers: parseTopology(read('topology.csv'), join(dir, 'topology.csv'), { gemm: meta.gemm }),
        gemm: meta.gemm,
        scalesimSeconds: meta.scalesimSeconds,
        compute: rows(text.compute),
        bandwidth: rows(text.bandwidth),
        detail: rows(text.detail),
        text,
      };
    });
}
