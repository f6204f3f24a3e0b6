// What the facades share besides the options check (src/base/options.ts): reading a model spec,
// progress events, and the cancellation and yielding points of long calls.
import { parseModelSpec, type ModelSpec, type ModelSpecKind } from '../graph/model-spec.js';
import { OptionsError } from '../base/options.js';

const LIBRARY_SPECS: readonly ModelSpecKind[] = ['zoo', 'synthetic', 'dnnlike'];

/** A model spec the facade `where` accepts, parsed; a bad one is an OptionsError naming the facade. */
export function modelSpecOf(where: string, text: string, accept: readonly ModelSpecKind[] = LIBRARY_SPECS): ModelSpec {
  try {
    return parseModelSpec(text, accept);
  } catch (e) {
    throw new OptionsError(`${where}: ${(e as Error).message} (ONNX bytes go through importOnnx)`, { field: 'model' });
  }
}

/** Reported by long calls through their `onProgress` option. */
export interface ProgressEvent {
  /** What is running: 'model', 'problem', 'solve', 'cost' for schedule; 'layers' for simulate. */
  step: string;
  /** Units of the step done so far, out of `total`. */
  done: number;
  total: number;
  /** simulate only: array cycles simulated so far, the measure of the work done (a repeated layer shape counts once). */
  cycles?: number;
  /** tune's 'trials': the layer being tuned, its trials so far, and its best figure in its unit (GFLOP/s, cycles …). */
  layer?: string;
  layerDone?: number;
  best?: number;
  unit?: string;
  /** schedule's 'solve' while the exact solver runs: its best bottleneck so far and the bound it has proven, seconds. */
  bestSeconds?: number;
  boundSeconds?: number;
}

/** Throws the signal's reason (an AbortError) when it has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('the operation was aborted', 'AbortError');
}

/** Lets other work (a cancel message, another request) run between steps of a long computation. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
