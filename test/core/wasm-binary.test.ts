// What each flavour of the core really contains, read from the binaries with wabt (issue 21).
// Every check here looks at build/*.wasm as `npm run build:wasm` left it.
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FLAVOURS, type Flavour, isThreaded, THREADED_MEMORY } from '../../src/core/flavour.js';
import { THREAD_KERNELS } from '../../src/core/threads.js';
import {
  customSections, disassemble, exportedFunction, isCall, isVector, type Loop, parseText, reachable, validate, type WasmText, wasmBytes, wasmPath,
} from './wasm-inspect.js';

const texts = new Map<Flavour, WasmText>();
const disassembly = new Map<Flavour, string>();
beforeAll(async () => {
  for (const flavour of FLAVOURS) {
    const text = await disassemble(wasmBytes(flavour));
    disassembly.set(flavour, text);
    texts.set(flavour, parseText(text));
  }
});
const text = (flavour: Flavour): WasmText => texts.get(flavour)!;

// 1. Imports. The design allows `abort` and, where unavoidable, a clock.
const ALLOWED_IMPORTS = ['env.abort', 'env.Date.now', 'env.performance.now']; // asc's names for Date.now() and performance.now()

describe.each(FLAVOURS)('the %s flavour', (flavour) => {
  // A threaded flavour imports its (shared) memory too.
  const allowed = isThreaded(flavour) ? [...ALLOWED_IMPORTS, 'env.memory'] : ALLOWED_IMPORTS;
  it(`imports nothing but env.abort (and a clock${isThreaded(flavour) ? ', and its memory' : ''})`, () => {
    const imports = text(flavour).imports.map((i) => `${i.module}.${i.name}`);
    expect(imports).toContain('env.abort');
    expect(imports.filter((name) => !allowed.includes(name)), `imports beyond ${allowed.join(', ')}`).toEqual([]);
  });

  // 3. Exports: the binary's against the bindings src/core binds (CoreExports is the type of
  // build/mapwise-simd.d.ts, used for every flavour) and against assembly/index.ts, their source.
  // A threaded flavour also exports its start function, which only the owning instance runs.
  it('exports exactly what src/core binds', () => {
    const exported = [...text(flavour).exports.keys()];
    const expected = isThreaded(flavour) ? [...boundExports(), '_start'] : boundExports();
    expect(diff(exported, expected), `${flavour} exports against build/mapwise-simd.d.ts`).toEqual({ missing: [], extra: [] });
  });
});

// Threads: helper threads instantiate a threaded flavour over the owner's memory without its
// start function, so what they run must neither keep state in globals (each instance has its
// own, never initialised) nor spill to the shadow stack (one region, shared by every instance).
describe.each(['simd-threads', 'relaxed-threads'] as const)('the %s flavour', (flavour) => {
  it(`imports a shared memory of ${THREADED_MEMORY.initial} to ${THREADED_MEMORY.maximum} pages, as src/core/flavour.ts creates`, () => {
    expect(disassembly.get(flavour)!).toContain(`(import "env" "memory" (memory $env.memory ${THREADED_MEMORY.initial} ${THREADED_MEMORY.maximum} shared))`);
  });

  it('validates only with threads on', async () => {
    await validate(wasmBytes(flavour), { simd: true, relaxedSimd: flavour === 'relaxed-threads', threads: true });
    await expect(validate(wasmBytes(flavour), { simd: true, relaxedSimd: true, threads: false })).rejects.toThrow(/shared|threads/);
  });

  it.each([...THREAD_KERNELS])('%s, which helper threads run, touches no global', (root) => {
    const globals = reachable(text(flavour), exportedFunction(text(flavour), root)!.name)
      .flatMap((fn) => fn.instructions.filter((i) => /^global\.(get|set)\b/.test(i)).map((i) => `${fn.name}: ${i}`));
    expect(globals).toEqual([]);
  });
});

describe('exports', () => {
  it('the bindings declare exactly what assembly/index.ts exports, plus memory', () => {
    expect(diff(boundExports(), [...sourceExports(), 'memory']), 'build/mapwise-simd.d.ts against assembly/index.ts (rebuild: npm run build:wasm)').toEqual({ missing: [], extra: [] });
  });
});

// 2. Features per flavour.
describe('features', () => {
  it('the simd flavour validates with relaxed SIMD off and holds no relaxed instruction', async () => {
    await validate(wasmBytes('simd'), { simd: true, relaxedSimd: false });
    expect(relaxedInstructions('simd')).toEqual([]);
  });

  it('the debug flavour validates with relaxed SIMD off (it is built for SIMD128 only)', async () => {
    await validate(wasmBytes('debug'), { simd: true, relaxedSimd: false });
  });

  it('the relaxed flavour needs relaxed SIMD: wabt rejects it with the feature off', async () => {
    await validate(wasmBytes('relaxed'), { simd: true, relaxedSimd: true });
    await expect(validate(wasmBytes('relaxed'), { simd: true, relaxedSimd: false })).rejects.toThrow(/unexpected opcode/);
  });

  it.each(['gemm', 'convRun', 'dwRun', 'wgRun'])('the relaxed flavours fuse every vector multiply-add of %s into f32x4.relaxed_madd', (root) => {
    const loops = ['relaxed', 'relaxed-threads'].flatMap((f) => arithmeticLoops(text(f as Flavour), root).filter((l) => l.loop.instructions.some(isVector)));
    expect(loops.length).toBeGreaterThan(0);
    for (const { where, loop } of loops) {
      expect(loop.instructions.filter((i) => i === 'f32x4.relaxed_madd').length, `${where}: no f32x4.relaxed_madd`).toBeGreaterThan(0);
      expect(loop.instructions.filter((i) => i === 'f32x4.mul'), `${where}: unfused multiply`).toEqual([]);
    }
  });

  it('the debug flavour carries its name section and source map', () => {
    const sections = customSections(wasmBytes('debug'));
    expect(sections).toContain('name');
    expect(sections).toContain('sourceMappingURL');
    const map = `${wasmPath('debug')}.map`;
    expect(existsSync(map), map).toBe(true);
    const sources: string[] = JSON.parse(readFileSync(map, 'utf8')).sources;
    expect(sources.some((s) => s.endsWith('assembly/kernels/gemm.ts')), 'the source map names assembly/kernels/gemm.ts').toBe(true);
    // Named functions, as a debugger shows them (release builds have none).
    expect([...text('debug').functions.keys()]).toContain('assembly/kernels/gemm/gemm');
  });

  it.each(['simd', 'relaxed', 'simd-threads', 'relaxed-threads'] as const)('the %s flavour ships without a name section or source map', (flavour) => {
    const sections = customSections(wasmBytes(flavour));
    expect(sections.filter((s) => s === 'name' || s === 'sourceMappingURL')).toEqual([]);
  });
});

// 4. Hot loops stay vectorised. In the release flavours, the innermost loops that do float
// arithmetic in everything a kernel reaches (its micro-kernels included) must use v128 and call
// nothing: a helper left un-inlined, or a loop rewritten scalar, fails here by function and loop.
// Arithmetic loops are those that multiply: the epilogue's bias and residual adds are
// memory-bound, as is its activation (unaryMap, an op of its own, not followed here).
// The only scalar arithmetic loop allowed is depthwise's channel tail (c mod nr channels,
// assembly/kernels/conv.ts), which has fewer than nr channels to work on.
const KERNELS: { root: string; scalarTails: number }[] = [
  { root: 'gemm', scalarTails: 0 },
  { root: 'convRun', scalarTails: 0 },
  { root: 'dwRun', scalarTails: 1 },
  { root: 'wgRun', scalarTails: 0 },
];
const EPILOGUE_OPS = ['unaryMap'];

describe.each(['simd', 'relaxed', 'simd-threads', 'relaxed-threads'] as const)('hot loops in the %s flavour', (flavour) => {
  it.each(KERNELS)('$root: inner arithmetic loops use v128 and make no calls', ({ root, scalarTails }) => {
    const loops = arithmeticLoops(text(flavour), root);
    const vectorised = (loop: Loop) => loop.instructions.some((i) => /^f32x4\.(mul|relaxed_madd)$/.test(i));
    const scalar = loops.filter(({ loop }) => !vectorised(loop)).map((l) => l.where);
    const problems = [
      ...(loops.some(({ loop }) => vectorised(loop)) ? [] : [`${root}: no inner loop uses f32x4 arithmetic`]),
      ...(scalar.length > scalarTails ? [`${root}: ${scalar.length} scalar inner loops (${scalar.join(', ')}), ${scalarTails} allowed`] : []),
      ...loops.filter(({ loop }) => loop.instructions.some(isCall)).map((l) => `${l.where} calls ${l.loop.instructions.filter(isCall).join(', ')}`),
    ];
    expect(problems).toEqual([]);
  });

  // The systolic simulator's per-fold loop (simLayer: mapping efficiency and utilisation summed
  // fold by fold in SCALE-Sim's order). It is the loop of simLayer itself that divides floats.
  it('simLayer: the fold loop makes no calls and sums in v128 (both figures as the lanes of one f64x2)', () => {
    const fn = exportedFunction(text(flavour), 'simLayer')!;
    const folds = fn.loops.filter((l) => l.innermost && l.instructions.includes('f64x2.div'));
    expect(folds, 'one innermost loop dividing in f64x2').toHaveLength(1);
    expect(folds[0]!.instructions.filter(isCall), 'calls inside the fold loop').toEqual([]);
    expect(folds[0]!.instructions).toContain('f64x2.add');
  });
});

// 5. Size: each flavour within its budget in assembly/size-budget.json. Growing past it is a
// decision: raise the budget in the same commit, saying why.
describe('size', () => {
  const budget: Record<string, number> = JSON.parse(readFileSync(new URL('../../assembly/size-budget.json', import.meta.url), 'utf8')).bytes;
  it.each(FLAVOURS)('the %s flavour stays within its budget', (flavour) => {
    const bytes = wasmBytes(flavour).length;
    expect(budget[flavour], `assembly/size-budget.json has no budget for ${flavour}`).toBeTypeOf('number');
    expect(bytes, `${flavour}: ${bytes} bytes, budget ${budget[flavour]} bytes (assembly/size-budget.json)`).toBeLessThanOrEqual(budget[flavour]!);
  });
});

/** Names in `actual` but not in `expected` (extra) and the reverse (missing), sorted. */
function diff(actual: string[], expected: string[]): { missing: string[]; extra: string[] } {
  return {
    missing: expected.filter((name) => !actual.includes(name)).sort(),
    extra: actual.filter((name) => !expected.includes(name)).sort(),
  };
}

/** The exports declared by asc's bindings, which give src/core its `CoreExports` type. */
function boundExports(): string[] {
  const declarations = readFileSync(new URL('../../build/mapwise-simd.d.ts', import.meta.url), 'utf8');
  return [...declarations.matchAll(/^ {2}export (?:function|const) (\w+)/gm)].map((m) => m[1]!);
}

/** The names assembly/index.ts re-exports (`export { a, b as c } from '…'`). */
function sourceExports(): string[] {
  const source = readFileSync(new URL('../../assembly/index.ts', import.meta.url), 'utf8').replace(/\/\/.*$/gm, '');
  return [...source.matchAll(/export\s*\{([^}]*)\}/g)].flatMap((m) =>
    m[1]!.split(',').map((s) => s.trim()).filter(Boolean).map((s) => s.split(/\s+as\s+/).pop()!),
  );
}

function relaxedInstructions(flavour: Flavour): string[] {
  return [...new Set(disassembly.get(flavour)!.match(/\b[a-z0-9]+x\d+\.relaxed_\w+/g) ?? [])];
}

/** Innermost loops multiplying floats in the exported function `root` and everything it calls. */
function arithmeticLoops(wasm: WasmText, root: string): { where: string; loop: Loop }[] {
  const fn = exportedFunction(wasm, root);
  expect(fn, `no exported function ${root}`).toBeDefined();
  return reachable(wasm, fn!.name, EPILOGUE_OPS.map((op) => exportedFunction(wasm, op)!.name)).flatMap((fn) =>
    fn.loops.flatMap((loop, index) =>
      loop.innermost && loop.instructions.some((i) => /^f32(x4)?\.(mul|relaxed_madd)$/.test(i)) ? [{ where: `${fn.name} loop ${index}`, loop }] : [],
    ),
  );
}
