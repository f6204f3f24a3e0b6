// The `--target` of `mapwise compile`: `edgetpu:K` (a K-core pipeline), `systolic[:preset]`,
// `host`, or a JSON target description (`{"kind": "edgetpu-pipeline", …}`).
import { UserError } from '../base/errors.js';
import { pipelineTarget, type PipelineTarget, PIPELINE_PRESETS } from '../hw/pipeline.js';

export type CompileTarget =
  | { kind: 'edgetpu-pipeline'; target: PipelineTarget; label: string }
  | { kind: 'systolic'; preset: string; label: string }
  | { kind: 'host'; label: string };

const USAGE = "expected 'edgetpu:K' (K cores, 1-8), 'systolic[:preset]', 'host', or a JSON target with \"kind\"";

export function parseTargetSpec(spec: string, where = '--target'): CompileTarget {
  const [name, arg] = spec.split(':', 2) as [string, string | undefined];
  if (name in PIPELINE_PRESETS) {
    const cores = arg === undefined ? 4 : Number(arg);
    if (!Number.isInteger(cores)) throw new UserError(`${where} '${spec}': the core count must be an integer; ${USAGE}`, { field: 'target' });
    return { kind: 'edgetpu-pipeline', target: pipelineTarget({ cores }, name), label: `${name}:${cores}` };
  }
  if (name === 'systolic') return { kind: 'systolic', preset: arg ?? 'scale', label: `systolic:${arg ?? 'scale'}` };
  if (name === 'host') return { kind: 'host', label: 'host' };
  throw new UserError(`${where} '${spec}': unknown target; ${USAGE}`, { field: 'target' });
}

/** A target from a parsed JSON file: only pipeline targets are described this way so far. */
export function targetFromJson(value: unknown, file: string): CompileTarget {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UserError(`${file}: a target must be a JSON object; ${USAGE}`, { file });
  const { kind, preset, ...options } = value as Record<string, unknown>;
  if (kind !== 'edgetpu-pipeline') throw new UserError(`${file}: field 'kind' must be 'edgetpu-pipeline' in a target file, got ${JSON.stringify(kind)}`, { file, field: 'kind' });
  const base = typeof preset === 'string' ? preset : 'edgetpu';
  const target = pipelineTarget(options as Parameters<typeof pipelineTarget>[0], base);
  return { kind: 'edgetpu-pipeline', target, label: `${base}:${target.cores}` };
}
