// A pipeline of Edge-TPU-like cores: the graph is cut into `cores` stages, one per core,
// and inferences stream through them. Plain, validated, JSON-serialisable; every field
// carries its unit in its name.

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
  /** Multiply-accumulates a core completes per clock cycle. */
  readonly coreMacsPerCycle: number;
  /** Core clock, in MHz. */
  readonly freqMHz: number;
}

export type PipelineTargetOptions = Partial<Omit<PipelineTarget, 'kind'>> & { kind?: 'edgetpu-pipeline' };

export const MAX_PIPELINE_CORES = 8;

/**
 * Close to a Coral Edge TPU: 8 MiB of parameter cache, int8 weights and activations, a
 * 64×64 systolic array (4096 MACs per cycle) at 480 MHz (≈ 4 TOPS), on a USB 3.0 link
 * (5 Gb/s raw, 500 MB/s after 8b/10b coding, ≈ 400 MB/s after protocol overhead).
 */
export const EDGETPU_PRESET: PipelineTarget = Object.freeze({
  kind: 'edgetpu-pipeline',
  cores: 4,
  onChipParamBytes: 8 * 1024 * 1024,
  paramBytesPerWeight: 1,
  hostLinkBytesPerSecond: 400e6,
  coreMacsPerCycle: 4096,
  freqMHz: 480,
});

export const PIPELINE_PRESETS: Readonly<Record<string, PipelineTarget>> = Object.freeze({ edgetpu: EDGETPU_PRESET });

const FIELDS = ['kind', 'cores', 'onChipParamBytes', 'paramBytesPerWeight', 'hostLinkBytesPerSecond', 'coreMacsPerCycle', 'freqMHz'] as const;

/** A validated, frozen target: `options` override the preset (default `edgetpu`). Unknown keys and bad values throw naming the field. */
export function pipelineTarget(options: PipelineTargetOptions = {}, preset = 'edgetpu'): PipelineTarget {
  const base = PIPELINE_PRESETS[preset];
  if (!base) throw new RangeError(`unknown pipeline target preset '${preset}'; choose one of: ${Object.keys(PIPELINE_PRESETS).join(', ')}`);
  for (const key of Object.keys(options)) {
    if (!(FIELDS as readonly string[]).includes(key)) throw new RangeError(`pipeline target: unknown field '${key}'`);
  }
  const merged = { ...base, ...stripUndefined(options) };
  return validatePipelineTarget(merged);
}

/** Checks a complete target object; returns it frozen. */
export function validatePipelineTarget(target: PipelineTarget): PipelineTarget {
  if (target.kind !== 'edgetpu-pipeline') throw new RangeError(`pipeline target: kind must be 'edgetpu-pipeline', got '${String(target.kind)}'`);
  for (const key of Object.keys(target)) {
    if (!(FIELDS as readonly string[]).includes(key)) throw new RangeError(`pipeline target: unknown field '${key}'`);
  }
  const { cores } = target;
  if (!Number.isInteger(cores) || cores < 1 || cores > MAX_PIPELINE_CORES) {
    throw new RangeError(`pipeline target: cores must be an integer from 1 to ${MAX_PIPELINE_CORES}, got ${cores}`);
  }
  for (const key of ['onChipParamBytes', 'paramBytesPerWeight', 'hostLinkBytesPerSecond', 'coreMacsPerCycle', 'freqMHz'] as const) {
    const value = target[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new RangeError(`pipeline target: ${key} must be a finite number > 0, got ${value}`);
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
