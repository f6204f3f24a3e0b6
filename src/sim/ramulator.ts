// SCALE-Sim v3's UseRamulatorTrace. v3 does not run Ramulator: in USER mode its DRAM ports read each
// layer's round-trip latencies, one per request line, from results/_{ifmap,filter,ofmap}File{layer}.npy
// under the directory it runs in (written by the user's Ramulator run: v3's README_ramulator.md,
// run_ramulator.sh, scripts/dram_latency.py), and stop when one is missing. mapwise reads the same
// arrays (SimulatorOptions.ramulator, SimulateOptions.ramulatorLatencies, simulate --ramulator-dir)
// and the wasm core runs them through v3's ports (assembly/sim/ramulator.ts). Ramulator stays outside.
import type { ConvLayer, ScalesimV3Config, SystolicConfig } from './types.js';

export const RAMULATOR_OPERANDS = ['ifmap', 'filter', 'ofmap'] as const;
export type RamulatorOperand = (typeof RAMULATOR_OPERANDS)[number];

/** One layer's DRAM latencies in cycles, per operand: one per request line of its port, in request order. */
export type RamulatorLatencies = Readonly<Record<RamulatorOperand, ArrayLike<number>>>;

/** The file v3 reads an operand's latencies of layer `layer` (0-based, in topology order) from, in results/. */
export function ramulatorFile(op: RamulatorOperand, layer: number): string {
  return `_${op}File${layer}.npy`;
}

/** What v3 would read for layer `layer`, in words. */
function filesOf(layer: number): string {
  return RAMULATOR_OPERANDS.map((op) => `results/${ramulatorFile(op, layer)}`).join(', ');
}

/** Why these are no latencies mapwise takes (whole cycles, at least 0), or undefined. */
export function latencyProblem(values: ArrayLike<number>): string | undefined {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0) return `entry ${i} is ${v}; latencies are whole cycles, at least 0`;
  }
  return undefined;
}

/**
 * The core's Ramulator arguments for layer `index`, or undefined when none are given (simulated as
 * without, scalesimNotModelled says so). Refuses latencies v3 would not read: without
 * UseRamulatorTrace True, or in CALC mode, whose ports v3 does not pace.
 */
export function layerRamulator(
  config: SystolicConfig, layer: ConvLayer, v3: ScalesimV3Config | undefined, all: readonly RamulatorLatencies[] | undefined, index: number, fail: (message: string) => Error,
): ({ readRequestBuffer: number; writeRequestBuffer: number } & RamulatorLatencies) | undefined {
  if (!all) return undefined;
  if (!v3?.useRamulatorTrace) throw fail('Ramulator latencies are read by SCALE-Sim v3 with UseRamulatorTrace = True only (SimulatorOptions.v3)');
  if (config.interfaceBandwidth !== 'USER') throw fail('InterfaceBandwidth CALC: SCALE-Sim v3 reads Ramulator latencies in USER mode only');
  const latencies = all[index];
  if (!latencies) throw fail(`layer ${index} ('${layer.name}') has no Ramulator latencies (SCALE-Sim v3 reads ${filesOf(index)})`);
  for (const op of RAMULATOR_OPERANDS) {
    const values = latencies[op];
    const problem = values && typeof values.length === 'number' ? latencyProblem(values) : 'no array of numbers';
    if (problem) throw fail(`layer ${index} ('${layer.name}'), ${op} latencies (v3's ${ramulatorFile(op, index)}): ${problem}`);
  }
  return { readRequestBuffer: v3.readRequestBuffer, writeRequestBuffer: v3.writeRequestBuffer, ...latencies };
}

/** The note for a run with UseRamulatorTrace True in USER mode and no latencies given. */
export function ramulatorNotRead(layers: number): string {
  const which = layers > 1 ? `${filesOf(0)}, … for layers 0 to ${layers - 1}` : filesOf(0);
  return `UseRamulatorTrace: no Ramulator latencies given, simulated as with it False; SCALE-Sim v3 would read ${which} under the directory it runs in ` +
    '(and stop without them): give that directory with simulate --ramulator-dir DIR, or the arrays as SimulateOptions.ramulatorLatencies';
}
