// Reading the core's binaries with wabt (its JavaScript build; no native tools), for the tests
// that check what each flavour really contains. Test-only: nothing in src/ reads wasm text.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { type Flavour, wasmUrl } from '../../src/core/flavour.js';

type Wabt = Awaited<ReturnType<typeof wabtInit>>;
let wabt: Promise<Wabt> | undefined;

export function wasmPath(flavour: Flavour): string {
  return fileURLToPath(wasmUrl(flavour));
}

export function wasmBytes(flavour: Flavour): Uint8Array {
  return readFileSync(wasmPath(flavour));
}

/** The WebAssembly features a reader accepts; everything else stays off. */
export interface ReadFeatures {
  simd: boolean;
  relaxedSimd: boolean;
  /** Shared memory and atomics (the threaded flavours). */
  threads?: boolean;
}

/** Reads and validates a binary with only the given features; throws wabt's message if it fails. */
export async function validate(bytes: Uint8Array, features: ReadFeatures): Promise<void> {
  const api = await (wabt ??= wabtInit());
  const flags = { simd: features.simd, relaxed_simd: features.relaxedSimd, threads: features.threads ?? false };
  const module = api.readWasm(bytes, { readDebugNames: true, ...flags });
  try {
    module.validate(flags);
  } finally {
    module.destroy();
  }
}

/** wasm2wat's text, flat (one instruction a line), with every function named (exports by their export name). */
export async function disassemble(bytes: Uint8Array): Promise<string> {
  const api = await (wabt ??= wabtInit());
  const module = api.readWasm(bytes, { readDebugNames: true, simd: true, relaxed_simd: true, threads: true });
  try {
    module.generateNames();
    module.applyNames();
    return module.toText({ foldExprs: false, inlineExport: false });
  } finally {
    module.destroy();
  }
}

/** The names of the binary's custom sections, in order. */
export function customSections(bytes: Uint8Array): string[] {
  const names: string[] = [];
  let at = 8; // magic and version
  const leb = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const id = bytes[at++]!;
    const size = leb();
    const end = at + size;
    if (id === 0) {
      const length = leb();
      names.push(new TextDecoder().decode(bytes.subarray(at, at + length)));
    }
    at = end;
  }
  return names;
}

export interface Import {
  module: string;
  name: string;
  kind: string;
}

export interface Loop {
  /** The loop's own instructions and those of blocks nested in it, one per entry. */
  instructions: string[];
  /** True when no other loop is nested inside. */
  innermost: boolean;
}

export interface WasmFunction {
  name: string;
  instructions: string[];
  loops: Loop[];
  /** Functions it calls directly ($names); `call_indirect` shows as '(indirect)'. */
  callees: Set<string>;
}

export interface WasmText {
  imports: Import[];
  /** Export name → kind ('func', 'memory', …) and the $name of what it exports. */
  exports: Map<string, { kind: string; target: string }>;
  functions: Map<string, WasmFunction>;
}

const BLOCK_START = /^(block|loop|if|try)\b/;

/** Parses the flat text `disassemble` gives into imports, exports and functions with their loops. */
export function parseText(text: string): WasmText {
  const imports: Import[] = [];
  const exports = new Map<string, { kind: string; target: string }>();
  const functions = new Map<string, WasmFunction>();
  let current: WasmFunction | undefined;
  // Open blocks of the current function: loops carry their record, other blocks undefined.
  let open: (Loop | undefined)[] = [];
  for (const line of text.split('\n')) {
    const top = /^ {2}\((\w+)/.exec(line);
    if (top) {
      current = undefined;
      const kind = top[1];
      if (kind === 'import') {
        const m = /^ {2}\(import "([^"]*)" "([^"]*)" \((\w+)/.exec(line);
        if (m) imports.push({ module: m[1]!, name: m[2]!, kind: m[3]! });
      } else if (kind === 'export') {
        const m = /^ {2}\(export "([^"]*)" \((\w+) \$([^)\s]+)/.exec(line);
        if (m) exports.set(m[1]!, { kind: m[2]!, target: m[3]! });
      } else if (kind === 'func') {
        const name = /^ {2}\(func \$(\S+)/.exec(line)?.[1] ?? `(func ${functions.size})`;
        current = { name, instructions: [], loops: [], callees: new Set() };
        functions.set(name, current);
        open = [];
      }
      continue;
    }
    if (!current) continue;
    const instruction = line.trim().replace(/\)+$/, '');
    if (instruction === '' || instruction.startsWith('(local') || instruction.startsWith(';;')) continue;
    current.instructions.push(instruction);
    for (const block of open) block?.instructions.push(instruction);
    const call = /^(?:call|return_call) \$(\S+)/.exec(instruction);
    if (call) current.callees.add(call[1]!);
    else if (/^(?:call_indirect|return_call_indirect)\b/.test(instruction)) current.callees.add('(indirect)');
    if (BLOCK_START.test(instruction)) {
      if (instruction.startsWith('loop')) {
        const loop: Loop = { instructions: [instruction], innermost: true };
        for (const block of open) if (block) block.innermost = false;
        current.loops.push(loop);
        open.push(loop);
      } else {
        open.push(undefined);
      }
    } else if (instruction === 'end' || instruction.startsWith('end ')) {
      open.pop();
    }
  }
  return { imports, exports, functions };
}

/** The function an export names (by the debug name where there is a name section). */
export function exportedFunction(text: WasmText, name: string): WasmFunction | undefined {
  const entry = text.exports.get(name);
  return entry?.kind === 'func' ? text.functions.get(entry.target) : undefined;
}

/** The function and every function it reaches by direct calls (imports excluded), not entering `stopAt`. */
export function reachable(text: WasmText, root: string, stopAt: readonly string[] = []): WasmFunction[] {
  const seen = new Set<string>(stopAt);
  const order: WasmFunction[] = [];
  const visit = (name: string) => {
    const fn = text.functions.get(name);
    if (!fn || seen.has(name)) return;
    seen.add(name);
    order.push(fn);
    for (const callee of fn.callees) visit(callee);
  };
  visit(root);
  return order;
}

/** True for an instruction on v128 values (any SIMD128 or relaxed SIMD opcode). */
export function isVector(instruction: string): boolean {
  return /^(?:v128|f32x4|f64x2|i8x16|i16x8|i32x4|i64x2)\./.test(instruction);
}

export function isCall(instruction: string): boolean {
  return /^(?:call|call_indirect|return_call|return_call_indirect)\b/.test(instruction);
}
