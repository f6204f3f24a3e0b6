// Float32 weights as a model file's little-endian bytes where they do not sit on a 4-byte
// boundary of its buffer (no Float32Array can view them there). Conv layers copy them straight
// into wasm memory; a Float32Array first cost ResNet-18 47 MB of fresh JS memory (20-25 ms).
export class Float32Bytes {
  constructor(readonly bytes: Uint8Array) {}

  get length(): number {
    return this.bytes.length >> 2;
  }
}

/** A tensor's values as the runtime reads them from a model or the caller. */
export type TensorValues = Float32Array | Float32Bytes;
