// Feature detection for the WebAssembly engine we run on. Each probe is the smallest
// module that uses one instruction of the feature; `WebAssembly.validate` says whether the
// engine accepts it without running anything.

const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const voidFunctionType = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00];
const oneFunction = [0x03, 0x02, 0x01, 0x00];
const v128Zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];

function moduleWithBody(instructions: number[]): Uint8Array<ArrayBuffer> {
  const body = [0x00, ...instructions, 0x0b]; // no locals … end
  const code = [0x01, body.length, ...body];
  return new Uint8Array([...header, ...voidFunctionType, ...oneFunction, 0x0a, code.length, ...code]);
}

// v128.const 0; drop
const simdProbe = moduleWithBody([...v128Zero, 0x1a]);
// v128.const 0 ×3; f32x4.relaxed_madd (0xfd 0x105); drop
const relaxedProbe = moduleWithBody([...v128Zero, ...v128Zero, ...v128Zero, 0xfd, 0x85, 0x02, 0x1a]);

export interface WasmFeatures {
  simd: boolean;
  relaxedSimd: boolean;
  /** Shared wasm memory (threads): missing in browsers without cross-origin isolation. */
  threads: boolean;
}

function sharedMemory(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

export function detectFeatures(): WasmFeatures {
  return {
    simd: WebAssembly.validate(simdProbe),
    relaxedSimd: WebAssembly.validate(relaxedProbe),
    threads: sharedMemory(),
  };
}
