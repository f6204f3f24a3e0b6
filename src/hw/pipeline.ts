// A pipeline of Edge-TPU-like cores: the graph is cut into `cores` stages, one per core,
// and inferences stream through them. Plain, validated, JSON-serialisable; every field
// carries its unit in its name.
import { anyValues, checkOptions, OptionsError } from '../base/options.js';
import { EDGETPU_FITS } from './generated/edgetpu-fit.js';

export interface PipelineTarget {
  readonly kind: 'edgetpu-pipeline';
  /** Number of cores, i.e. pipeline stages (1–8). */
  readonly cores: number;
  /** On-chip parameter memory of one core, in bytes; parameters beyond it are streamed from the host on every inference. */
  readonly onChipParamBytes: number;
  /** Bytes per weight and per activation element as deployed (1 for int8, 4 for f32). */
  readonly paramBytesPerWeight: number;
  /** Host link bandwidth shared by streamed parameters and stage-to-stage tensors, in bytes per second. */
  readonly hostLinkBytesPerSecond: number;
  /** Multiply-accumulates a core completes per clock cycle (the array's width squared). */
  readonly coreMacsPerCycle: number;
  /** Core clock, in MHz. */
  readonly freqMHz: number;
  /** Fixed cost of invoking one core for one inference (host call, link round trip), seconds. */
  readonly invocationSeconds: number;
  /** Seconds per output element of a layer without MACs (pooling, elementwise, concatenation), which the vector path moves. */
  readonly vectorElementSeconds: number;
  /** Fraction of the MAC array's peak a standard convolution sustains (0–1]. */
  readonly convUtilisation: number;
  /** Fraction of the peak a low-reuse layer (depthwise convolution, fully connected) sustains (0–1]. */
  readonly lowReuseUtilisation: number;
}

export type PipelineTargetOptions = Partial<Omit<PipelineTarget, 'kind'>> & { kind?: 'edgetpu-pipeline' };

export const MAX_PIPELINE_CORES = 8;

/**
 * A Coral Edge TPU: a 64×64 int8 MAC array (4096 MACs per cycle) at 480 MHz (4 TOPS), 8 MiB of
 * on-chip memory shared by the parameter cache and the compiled executable, of which the
 * compiler's logs show at most about 7.2 MiB caching parameters (google-coral/edgetpu#518:
 * "On-chip memory used for caching model parameters: 7.16MiB", 2.25 KiB remaining): 7 MiB here.
 * Those are published; the last five fields are fitted (scripts/fit-edgetpu.js, src/sched/
 * calibration.ts) to Coral's "Edge TPU performance benchmarks", Table 1 (coral.ai/docs/edgetpu/
 * benchmarks: time per inference of int8 TFLite ImageNet models, C++ benchmark, model execution
 * only), each preset to its own column, minimising the squared relative error over the rows the
 * zoo builds (non-negative least squares; the cost of one core is linear in the five).
 */
const EDGETPU_CHIP = {
  kind: 'edgetpu-pipeline',
  cores: 4,
  onChipParamBytes: 7 * 1024 * 1024,
  paramBytesPerWeight: 1,
  coreMacsPerCycle: 4096,
  freqMHz: 480,
} as const;

const fitted = ({ invocationSeconds, vectorElementSeconds, convUtilisation, lowReuseUtilisation, hostLinkBytesPerSecond }: (typeof EDGETPU_FITS)['usb' | 'devboard']) =>
  ({ invocationSeconds, vectorElementSeconds, convUtilisation, lowReuseUtilisation, hostLinkBytesPerSecond });

/**
 * The USB Accelerator on a desktop host (Xeon Gold 6154; USB 3.0: 5 Gb/s raw, at most 500 MB/s
 * after 8b/10b coding), fitted to the table's USB column; `mapwise schedule` uses it by default.
 */
export const EDGETPU_PRESET: PipelineTarget = Object.freeze({ ...EDGETPU_CHIP, ...fitted(EDGETPU_FITS.usb) });

/**
 * The Dev Board (NXP i.MX 8M, quad Cortex-A53 host; the Edge TPU on PCIe Gen2 ×1, 500 MB/s raw),
 * fitted to the table's Dev Board column.
 */
export const EDGETPU_DEVBOARD_PRESET: PipelineTarget = Object.freeze({ ...EDGETPU_CHIP, ...fitted(EDGETPU_FITS.devboard) });

export const PIPELINE_PRESETS: Readonly<Record<string, PipelineTarget>> = Object.freeze({ edgetpu: EDGETPU_PRESET, 'edgetpu-devboard': EDGETPU_DEVBOARD_PRESET });

const FIELDS = [
  'kind', 'cores', 'onChipParamBytes', 'paramBytesPerWeight', 'hostLinkBytesPerSecond', 'coreMacsPerCycle', 'freqMHz',
  'invocationSeconds', 'vectorElementSeconds', 'convUtilisation', 'lowReuseUtilisation',
] as const;
const TARGET_SPEC = anyValues(FIELDS);

/** A validated, frozen target: `options` override the preset (default `edgetpu`). Unknown keys and bad values throw naming the field. */
export function pipelineTarget(options: PipelineTargetOptions = {}, preset = 'edgetpu'): PipelineTarget {
  const base = PIPELINE_PRESETS[preset];
  if (!base) throw new OptionsError(`unknown pipeline target preset '${preset}'; choose one of: ${Object.keys(PIPELINE_PRESETS).join(', ')}`, { field: 'target' });
  checkOptions('pipeline target', options, TARGET_SPEC, 'field');
  const merged = { ...base, ...stripUndefined(options) };
  return validatePipelineTarget(merged);
}

/** Checks a complete target object; returns it frozen. */
export function validatePipelineTarget(target: PipelineTarget): PipelineTarget {
  if (target.kind !== 'edgetpu-pipeline') throw new OptionsError(`pipeline target: kind must be 'edgetpu-pipeline', got '${String(target.kind)}'`, { field: 'kind' });
  checkOptions('pipeline target', target, TARGET_SPEC, 'field');
  const { cores } = target;
  if (!Number.isInteger(cores) || cores < 1 || cores > MAX_PIPELINE_CORES) {
    throw new OptionsError(`pipeline target: cores must be an integer from 1 to ${MAX_PIPELINE_CORES}, got ${cores}`, { field: 'cores' });
  }
  for (const key of ['onChipParamBytes', 'paramBytesPerWeight', 'hostLinkBytesPerSecond', 'coreMacsPerCycle', 'freqMHz'] as const) {
    const value = target[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new OptionsError(`pipeline target: ${key} must be a finite number > 0, got ${value}`, { field: key });
  }
  for (const key of ['invocationSeconds', 'vectorElementSeconds'] as const) {
    const value = target[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new OptionsError(`pipeline target: ${key} must be a finite number ≥ 0, got ${value}`, { field: key });
  }
  for (const key of ['convUtilisation', 'lowReuseUtilisation'] as const) {
    const value = target[key];
    if (typeof value !== 'number' || !(value > 0 && value <= 1)) throw new OptionsError(`pipeline target: ${key} must be a fraction in (0, 1], got ${value}`, { field: key });
  }
  return Object.freeze({ ...target });
}

/** Multiply-accumulates per second of one core. */
export function macsPerSecond(target: PipelineTarget): number {
  return target.coreMacsPerCycle * target.freqMHz * 1e6;
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
