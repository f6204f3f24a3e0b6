// A systolic-array accelerator as SCALE-Sim v2 models it: R×C PEs, three double-buffered
// scratchpads (ifmap, filter, ofmap) of one-byte words, a dataflow, and a DRAM interface.
// Plain, validated, frozen, JSON-serialisable; the same object is the simulator's config.
import { anyValues, checkOptions, OptionsError } from '../base/options.js';
import { validateConfig } from '../sim/config.js';
import type { SystolicConfig } from '../sim/types.js';

export interface SystolicTarget extends SystolicConfig {
  readonly kind: 'systolic';
}

export type SystolicPresetName = 'google' | 'eyeriss' | 'scale';

function preset(runName: string, rows: number, cols: number, i: number, f: number, o: number, dataflow: 'os' | 'ws'): SystolicConfig {
  return Object.freeze({
    runName, rows, cols, ifmapSramKiB: i, filterSramKiB: f, ofmapSramKiB: o,
    ifmapOffset: 0, filterOffset: 10000000, ofmapOffset: 20000000,
    dataflow, interfaceBandwidth: 'CALC', bandwidthWordsPerCycle: 10,
  } as const);
}

/** SCALE-Sim's bundled configs (configs/{google,eyeriss,scale}.cfg at 22f88b1); all use CALC. */
export const SYSTOLIC_PRESETS: Readonly<Record<SystolicPresetName, SystolicConfig>> = Object.freeze({
  google: preset('GoogleTPU_v1_ws', 256, 256, 6144, 6144, 2048, 'ws'), // TPU v1-like
  eyeriss: preset('eyeriss', 12, 14, 36, 36, 36, 'ws'),
  scale: preset('scale_example_run_32x32_os', 32, 32, 64, 64, 64, 'os'), // SCALE-Sim's example
});

const FIELDS = [
  'kind', 'runName', 'rows', 'cols', 'ifmapSramKiB', 'filterSramKiB', 'ofmapSramKiB', 'ifmapOffset', 'filterOffset', 'ofmapOffset',
  'dataflow', 'interfaceBandwidth', 'bandwidthWordsPerCycle',
] as const;

/** `systolic` or `systolic:<preset>` (as in `--target systolic:google`) → the preset's name. */
export function parseSystolicTargetSpec(spec: string): SystolicPresetName {
  const [kind, name = 'scale'] = spec.split(':');
  if (kind !== 'systolic') throw new OptionsError(`target '${spec}' is not a systolic target; give systolic[:${Object.keys(SYSTOLIC_PRESETS).join('|')}]`, { field: 'target' });
  if (!(name in SYSTOLIC_PRESETS)) throw new OptionsError(`unknown systolic preset '${name}'; choose one of: ${Object.keys(SYSTOLIC_PRESETS).join(', ')}`, { field: 'target' });
  return name as SystolicPresetName;
}

/** A validated, frozen target: `options` override the preset (default `scale`). Unknown keys throw naming the key. */
export function systolicTarget(options: Partial<SystolicTarget> = {}, presetName: SystolicPresetName = 'scale'): SystolicTarget {
  const base = SYSTOLIC_PRESETS[presetName];
  if (!base) throw new OptionsError(`unknown systolic preset '${presetName}'; choose one of: ${Object.keys(SYSTOLIC_PRESETS).join(', ')}`, { field: 'target' });
  checkOptions('systolic target', options, anyValues(FIELDS), 'field');
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const merged = { ...base, ...defined, kind: 'systolic' as const };
  if (options.kind !== undefined && options.kind !== 'systolic') throw new OptionsError(`systolic target: kind must be 'systolic', got '${String(options.kind)}'`, { field: 'kind' });
  return Object.freeze({ ...validateConfig(merged, 'systolic target'), kind: 'systolic' as const });
}
