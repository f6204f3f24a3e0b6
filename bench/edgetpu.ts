// `npm run bench -- edgetpu`: the Edge TPU presets against Coral's published latencies (Table 1
// of coral.ai/docs/edgetpu/benchmarks), one row per table row and preset. `predictedMs` is the
// pipeline simulator's latency on one core (the deployment graph of the zoo model at the
// published size); `leaveOneOutRatio` is the same prediction when the constants are fitted
// without that row, the fit's honest error on a model it has not seen. The log line gives the
// median error and worst ratio per preset (targets: ≤ 15 %, every row within ×1.35).
import { getCore } from '../src/node/index.js';
import { EDGETPU_DEVBOARD_PRESET, EDGETPU_PRESET } from '../src/hw/pipeline.js';
import { calibrationReport, fitColumn, predictSeconds, tableTerms, zooBuilder, type CalibrationColumn } from '../src/sched/calibration.js';
import { problemFromGraph } from '../src/sched/from-graph.js';
import { simulatePipeline } from '../src/sched/simulate.js';
import type { Bench, Row } from './harness.js';

const PRESETS: [CalibrationColumn, string, typeof EDGETPU_PRESET][] = [['usb', 'edgetpu', EDGETPU_PRESET], ['devboard', 'edgetpu-devboard', EDGETPU_DEVBOARD_PRESET]];

export const edgetpuBench: Bench = {
  describe: 'Edge TPU presets: simulated single-core latency against Coral\'s published table (USB Accelerator and Dev Board)',
  async run({ log }) {
    const core = await getCore();
    const terms = tableTerms(zooBuilder, EDGETPU_PRESET);
    const rows: Row[] = [];
    for (const [column, preset, target] of PRESETS) {
      const report = calibrationReport(terms, target, column);
      for (const [i, r] of report.rows.entries()) {
        const t = terms[i]!;
        let simulatedMs: number | null = null;
        let leaveOneOutRatio: number | null = null;
        if (t.terms) {
          const problem = problemFromGraph(zooBuilder(t.row.model!, t.row.size!)!, { ...target, cores: 1 });
          simulatedMs = simulatePipeline(core, problem, new Int32Array(problem.n)).latencySeconds * 1e3;
          const others = terms.map((u, j) => (j === i ? { row: u.row } : u));
          leaveOneOutRatio = (predictSeconds(t.terms, fitColumn(others, column)) * 1e3) / r.publishedMs;
        }
        rows.push({ preset, row: r.label, model: r.model, publishedMs: r.publishedMs, predictedMs: simulatedMs, ratio: simulatedMs === null ? null : simulatedMs / r.publishedMs, leaveOneOutRatio, note: r.note });
      }
      const loo = rows.filter((r) => r.preset === preset && typeof r.leaveOneOutRatio === 'number').map((r) => Math.abs((r.leaveOneOutRatio as number) - 1)).sort((a, b) => a - b);
      log(`${preset}: ${report.built} of ${report.rows.length} rows built; median error ${(report.medianError * 100).toFixed(1)}%, worst ratio ×${report.worstRatio.toFixed(2)}; ` +
        `leave-one-out median error ${(loo[loo.length >> 1]! * 100).toFixed(1)}%; constants ${JSON.stringify({ invocationSeconds: target.invocationSeconds, vectorElementSeconds: target.vectorElementSeconds, convUtilisation: target.convUtilisation, lowReuseUtilisation: target.lowReuseUtilisation, hostLinkBytesPerSecond: target.hostLinkBytesPerSecond })}`);
    }
    return rows;
  },
};
