// The one grammar of model specs, as users write them on the command line, in library calls, in
// edge requests and in the demo:
//   NAME[@SIZE]                  a zoo model, at its own input size or at SIZE x SIZE
//   synthetic:N[:SEED[:LEVELS]]  a layered DAG of N nodes (RESPECT's training graphs)
//   dnnlike:B[:SEED]             a Conv/ReLU/Add/Concat network of B blocks
//   scalesim:NETWORK             one of SCALE-Sim's bundled topologies (conv layers, not a graph)
//   PATH                         an ONNX file
// `parseModelSpec` reads one and `modelSpecHelp` writes the help text from the same table; both
// read only the zoo's table, no architecture. `builtinGraph` (builtin.ts) builds the forms that
// need no file; reading a file is runtime-specific (src/node/models.ts); SCALE-Sim topologies are
// src/sim's.
import { UserError } from '../base/errors.js';
import { zooEntryInfo, zooNames, zooSizeProblem } from './zoo/entries.js';

export type ModelSpec =
  | { readonly kind: 'zoo'; readonly name: string; readonly size?: number }
  | { readonly kind: 'synthetic'; readonly nodes: number; readonly seed: number; readonly levels: number }
  | { readonly kind: 'dnnlike'; readonly blocks: number; readonly seed: number }
  | { readonly kind: 'scalesim'; readonly network: string }
  /** `bare`: the text has no path separator and no .onnx, so it may as well be a misspelt zoo name. */
  | { readonly kind: 'file'; readonly path: string; readonly bare: boolean };

export type ModelSpecKind = ModelSpec['kind'];

export const MODEL_SPEC_KINDS: readonly ModelSpecKind[] = ['zoo', 'synthetic', 'dnnlike', 'scalesim', 'file'];
/** What the graph-taking commands and facades accept: everything but SCALE-Sim's layer lists. */
export const GRAPH_SPEC_KINDS: readonly ModelSpecKind[] = ['zoo', 'synthetic', 'dnnlike', 'file'];

/** Each form as written, and what it means. */
export const MODEL_SPEC_FORMS: Readonly<Record<ModelSpecKind, { form: string; meaning: string }>> = {
  zoo: { form: 'NAME[@SIZE]', meaning: 'a zoo model (mapwise zoo lists them), at its own input size or at SIZE x SIZE pixels, e.g. resnet50@299' },
  synthetic: { form: 'synthetic:N[:SEED[:LEVELS]]', meaning: 'a layered DAG of N nodes (SEED 1 and LEVELS N/2 by default)' },
  dnnlike: { form: 'dnnlike:B[:SEED]', meaning: 'a Conv/ReLU/Add/Concat network of B blocks (SEED 1 by default)' },
  scalesim: { form: 'scalesim:NETWORK', meaning: 'one of the topologies SCALE-Sim bundles' },
  file: { form: 'PATH', meaning: 'an ONNX file' },
};

/** A spec that does not parse, or that the caller does not accept: the caller's mistake, in field 'model'. */
export class ModelSpecError extends UserError {
  override name = 'ModelSpecError';

  constructor(message: string) {
    super(message, { field: 'model' });
  }
}

/**
 * The help text for the forms a caller accepts; `scalesimNetworks` (src/sim's list) names the
 * topologies where scalesim: is accepted.
 */
export function modelSpecHelp(kinds: readonly ModelSpecKind[] = MODEL_SPEC_KINDS, scalesimNetworks?: readonly string[]): string {
  return kinds
    .map((k) => {
      const { form, meaning } = MODEL_SPEC_FORMS[k];
      const names = k === 'scalesim' && scalesimNetworks ? ` (${scalesimNetworks.join(', ')})` : '';
      return `${form}: ${meaning}${names}`;
    })
    .join('; ');
}

/** Default levels of an n-node synthetic DAG: RESPECT trains on 30 nodes over 10–25 levels, and half the node count sits in that range. */
export function syntheticLevels(n: number): number {
  return Math.max(1, Math.min(n, Math.round(n / 2)));
}

/** The zoo name a user may have meant: lower case, separators dropped (`ResNet-50` -> `resnet50`). */
const normaliseName = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

const looksLikePath = (text: string): boolean => /[\\/]/.test(text) || /\.onnx$/i.test(text);

/** `field` of a generator spec as a whole number in [min, max]. */
function whole(text: string, value: string, field: string, min: number, max: number): number {
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new ModelSpecError(`model '${text}': ${field} must be a whole number from ${min} to ${max}, got '${value}'`);
  return n;
}

function parseGenerator(text: string, kind: 'synthetic' | 'dnnlike', rest: string): ModelSpec {
  const fields = rest.split(':');
  const names = kind === 'synthetic' ? ['N (nodes)', 'SEED', 'LEVELS'] : ['B (blocks)', 'SEED'];
  if (rest === '' || fields.length > names.length) {
    throw new ModelSpecError(`model '${text}': expected ${MODEL_SPEC_FORMS[kind].form}, ${MODEL_SPEC_FORMS[kind].meaning}`);
  }
  const size = whole(text, fields[0]!, names[0]!, 1, 100_000);
  const seed = fields[1] === undefined ? 1 : whole(text, fields[1], 'SEED', 0, 2 ** 31 - 1);
  if (kind === 'dnnlike') return { kind, blocks: size, seed };
  const levels = fields[2] === undefined ? syntheticLevels(size) : whole(text, fields[2], 'LEVELS', 1, size);
  return { kind, nodes: size, seed, levels };
}

function parseZoo(text: string, name: string, size: string | undefined): ModelSpec | undefined {
  const entry = zooEntryInfo(normaliseName(name));
  if (!entry) {
    if (size === undefined) return undefined;
    throw new ModelSpecError(`model '${text}': no zoo model '${name}'; known: ${zooNames().join(', ')}`);
  }
  if (size === undefined) return { kind: 'zoo', name: entry.name };
  if (!/^\d{1,9}$/.test(size)) throw new ModelSpecError(`model '${text}': @SIZE must be a whole number of pixels, got '${size}'`);
  const problem = zooSizeProblem(entry, Number(size));
  if (problem) throw new ModelSpecError(`model '${text}': ${problem}`);
  return { kind: 'zoo', name: entry.name, size: Number(size) };
}

/** Reads a model spec, refusing forms not in `accept` with the help text of those that are. */
export function parseModelSpec(text: string, accept: readonly ModelSpecKind[] = MODEL_SPEC_KINDS): ModelSpec {
  const trimmed = text.trim();
  const expected = (): string => `expected ${modelSpecHelp(accept)}`;
  if (trimmed === '') throw new ModelSpecError(`model '${text}': empty; ${expected()}`);
  let spec: ModelSpec | undefined;
  const generator = /^(synthetic|dnnlike|scalesim):(.*)$/i.exec(trimmed);
  if (generator) {
    const kind = generator[1]!.toLowerCase() as 'synthetic' | 'dnnlike' | 'scalesim';
    if (kind !== 'scalesim') spec = parseGenerator(trimmed, kind, generator[2]!);
    else if (/^[a-z0-9_]+$/i.test(generator[2]!)) spec = { kind, network: generator[2]!.toLowerCase() };
    else throw new ModelSpecError(`model '${text}': expected scalesim:NETWORK, a topology SCALE-Sim bundles`);
  } else if (looksLikePath(trimmed)) {
    spec = { kind: 'file', path: trimmed, bare: false };
  } else {
    const at = trimmed.lastIndexOf('@');
    spec = at < 0 ? parseZoo(trimmed, trimmed, undefined) : parseZoo(trimmed, trimmed.slice(0, at), trimmed.slice(at + 1));
    if (!spec && accept.includes('file')) spec = { kind: 'file', path: trimmed, bare: true };
    if (!spec) throw new ModelSpecError(`model '${text}' is not a zoo model (${zooNames().join(', ')}); ${expected()}`);
  }
  if (!accept.includes(spec.kind)) throw new ModelSpecError(`model '${text}': ${MODEL_SPEC_FORMS[spec.kind].meaning} is not accepted here; ${expected()}`);
  return spec;
}
