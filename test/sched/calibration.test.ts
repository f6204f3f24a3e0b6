// The Edge TPU presets' fit: it still gives the committed constants and figures, the simulator
// on one core is the fitted formula, and the fit itself recovers known constants.
import { describe, expect, it } from 'vitest';
import { getCore } from '../../src/node/index.js';
import { Random } from '../../src/helpers/random.js';
import { EDGETPU_FITS } from '../../src/hw/generated/edgetpu-fit.js';
import { EDGETPU_DEVBOARD_PRESET, EDGETPU_PRESET } from '../../src/hw/pipeline.js';
import {
  CORAL_TABLE, LINK_CEILING_BYTES_PER_SECOND, calibrationReport, fitColumn, fitConstants, predictSeconds, tableTerms, zooBuilder,
  type CalibrationColumn, type FittedConstants, type LatencyTerms,
} from '../../src/sched/calibration.js';
import { problemFromGraph } from '../../src/sched/from-graph.js';
import { simulatePipeline } from '../../src/sched/simulate.js';

const FITTED = ['invocationSeconds', 'vectorElementSeconds', 'convUtilisation', 'lowReuseUtilisation', 'hostLinkBytesPerSecond'] as const;
const PRESETS: [CalibrationColumn, typeof EDGETPU_PRESET][] = [['usb', EDGETPU_PRESET], ['devboard', EDGETPU_DEVBOARD_PRESET]];

describe('Edge TPU calibration', () => {
  const terms = tableTerms(zooBuilder, EDGETPU_PRESET);

  it('refits to the committed constants, and they give the documented figures (scripts/fit-edgetpu.js)', () => {
    for (const [column, preset] of PRESETS) {
      const fit = fitColumn(terms, column);
      const committed = EDGETPU_FITS[column];
      // The script rounds to 4 significant digits.
      for (const key of FITTED) expect(fit[key] / committed[key], `${column} ${key}`).toBeCloseTo(1, 3);
      for (const key of FITTED) expect(preset[key]).toBe(committed[key]);
      const report = calibrationReport(terms, preset, column);
      expect(report.built).toBe(committed.builtRows);
      expect(report.medianError).toBeCloseTo(committed.medianError, 4);
      expect(report.worstRatio).toBeCloseTo(committed.worstRatio, 3);
      // The targets: median error ≤ 15 %, and every fitted row within ×1.35.
      expect(report.medianError).toBeLessThanOrEqual(0.15);
      for (const [i, r] of report.rows.entries()) {
        if (r.ratio !== null && !CORAL_TABLE[i]!.notFitted) expect(Math.max(r.ratio, 1 / r.ratio), `${column} ${r.label}`).toBeLessThanOrEqual(1.35);
      }
      // Physical: utilisations ≤ 1, the link within USB 3.0's / PCIe Gen2 ×1's 500 MB/s.
      expect(preset.convUtilisation).toBeLessThanOrEqual(1);
      expect(preset.hostLinkBytesPerSecond).toBeLessThanOrEqual(LINK_CEILING_BYTES_PER_SECOND);
    }
  });

  it('leaves out only Inception-ResNet v2, whose parameters beyond the cache alone take longer over the link than Coral publishes', () => {
    expect(CORAL_TABLE.filter((r) => r.notFitted).map((r) => r.model)).toEqual(['inceptionresnetv2']);
    const irv2 = terms.find((t) => t.row.model === 'inceptionresnetv2')!;
    // Compute, vector work and the invocation only add to this floor, whatever constants a fit picks.
    const floorMs = (irv2.terms!.linkBytes / LINK_CEILING_BYTES_PER_SECOND) * 1e3;
    expect(floorMs).toBeGreaterThan(1.6 * irv2.row.usbMs);
    expect(floorMs).toBeGreaterThan(1.35 * irv2.row.devboardMs);
  });

  it('predicts what the pipeline simulator computes on one core', async () => {
    const core = await getCore();
    for (const { row, terms: t } of terms) {
      if (!t || !['mobilenetv2', 'densenet121', 'vgg16', 'googlenet'].includes(row.model!)) continue;
      const problem = problemFromGraph(zooBuilder(row.model!, row.size!)!, { ...EDGETPU_PRESET, cores: 1 });
      const simulated = simulatePipeline(core, problem, new Int32Array(problem.n)).latencySeconds;
      expect(simulated / predictSeconds(t, EDGETPU_PRESET), row.label).toBeCloseTo(1, 12);
    }
  });

  it('recovers known constants from exact latencies, and keeps them physical', () => {
    const random = new Random(3);
    const truth: FittedConstants = { invocationSeconds: 4e-4, vectorElementSeconds: 3e-10, convUtilisation: 0.6, lowReuseUtilisation: 0.05, hostLinkBytesPerSecond: 300e6 };
    const rows = Array.from({ length: 9 }, () => {
      const t: LatencyTerms = { vectorElements: random.float() * 3e7, convSeconds: random.float() * 1e-2, lowReuseSeconds: random.float() * 1e-4, linkBytes: random.float() * 1e8 };
      return { terms: t, publishedSeconds: predictSeconds(t, truth) };
    });
    const fit = fitConstants(rows);
    for (const key of FITTED) expect(fit[key] / truth[key], key).toBeCloseTo(1, 9);
    // Latencies only a link faster than the ceiling could give: the fit stops at the ceiling.
    const fast = fitConstants(rows.map((r) => ({ terms: r.terms, publishedSeconds: predictSeconds(r.terms, { ...truth, hostLinkBytesPerSecond: 2e9 }) })));
    expect(fast.hostLinkBytesPerSecond).toBeCloseTo(LINK_CEILING_BYTES_PER_SECOND, -3);
    expect(() => fitConstants(rows.slice(0, 4))).toThrow(/4 rows for 5 constants/);
  });
});
