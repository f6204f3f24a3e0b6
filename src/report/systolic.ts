// The report of a systolic co-design compilation.
import { tradeoffOf, tradeoffSpec } from '../codesign/plot.js';
import type { SystolicCompilation, SystolicFigures } from '../compile/systolic.js';
import type { Graph } from '../graph/types.js';
import { markdownTable } from './markdown.js';
import type { ReportParts } from './pipeline.js';
import { utilizationSpec } from './plots.js';

function arrayName(f: SystolicFigures): string {
  const h = f.hardware;
  return `${h.rows}×${h.cols} ${h.dataflow.toUpperCase()}, SRAM ${h.ifmapSramKiB}/${h.filterSramKiB}/${h.ofmapSramKiB} KiB`;
}

/** The caps of a budget in words: PEs, SRAM and silicon area, whichever are set. */
export function budgetText(b: Pick<SystolicCompilation['budget'], 'maxPEs' | 'maxSramKiB' | 'maxAreaMm2'>): string {
  const caps = [
    b.maxPEs === null ? undefined : `${b.maxPEs} PEs`,
    b.maxSramKiB === null ? undefined : `${b.maxSramKiB} KiB of SRAM`,
    b.maxAreaMm2 === null ? undefined : `${b.maxAreaMm2.toFixed(3)} mm² of PEs and SRAM`,
  ].filter((cap) => cap !== undefined);
  return caps.length > 0 ? caps.join(' and ') : 'no cap on PEs, SRAM or area';
}

export function systolicReport(graph: Graph, c: SystolicCompilation): ReportParts {
  const figureRow = (label: string, f: SystolicFigures) => [label, arrayName(f), f.throughputPerSecond, f.latencyMs, f.dramBytes / 2 ** 20, f.energyUJ];
  const rows = [figureRow(`SCALE-Sim's mapping on systolic:${c.preset}`, c.reference), ...(c.kept === 'search' ? [figureRow(`${c.strategy} (co-designed)`, c.best)] : [])];
  const markdown = [
    `# ${graph.name} on a co-designed systolic array`,
    '',
    `mapwise searched the accelerator (within ${budgetText(c.budget)}${c.budget.fromDefaultArray ? `, the silicon of the systolic:${c.preset} array, the default budget` : ''}; DRAM ${c.budget.dramBytesPerCycle} B/cycle, ${c.budget.freqMHz} MHz) and every layer's mapping with **${c.strategy}**, spending ${c.simulatorCalls} simulator calls in ${c.seconds.toFixed(1)} s.` +
      (c.kept === 'search'
        ? ` Throughput ${c.best.throughputPerSecond.toFixed(1)} inferences/s, ${c.best.speedupOverReference.toFixed(2)}× SCALE-Sim's own mapping on the preset's array.`
        : ` The search did not beat SCALE-Sim's own mapping on the preset's array within its budget, so that configuration is kept (${c.reference.throughputPerSecond.toFixed(1)} inferences/s); give a larger --budget.`),
    '',
    markdownTable(['configuration', 'accelerator', 'inferences/s', 'latency ms', 'DRAM MiB', 'energy µJ'], rows),
    '',
    ...[
          '## Mapping of each layer',
          '',
          markdownTable(
            ['layer', '×', 'splits M/N/K', 'loop order', 'double buffer', 'cycles', 'util %', 'DRAM KiB'],
            c.best.layers.map((l) => [l.layer, l.count, `${l.mapping.splitM}/${l.mapping.splitN}/${l.mapping.splitK}`, l.mapping.order, l.mapping.doubleBuffer ? 'on' : 'off', l.cycles, l.utilization, l.dramBytes / 1024]),
          ),
          '',
          '![utilisation per layer](utilization.svg)',
          '',
        ],
    '![throughput against PEs and SRAM](tradeoff.svg)',
    '',
  ].join('\n');
  return {
    markdown,
    plots: {
      'tradeoff.svg': tradeoffSpec(`${graph.name}: accelerators evaluated (${c.strategy})`, [tradeoffOf(c.run)]),
      'utilization.svg': utilizationSpec(`${graph.name}: array utilisation per layer`, c.best.layers.map((l) => ({ layer: l.layer, utilization: l.utilization }))),
    },
  };
}
