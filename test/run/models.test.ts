// Whole networks against PyTorch: every torchvision family, exported by scripts/make-runtime-fixtures.py
// with seeded weights the test regenerates, and the end-to-end benchmark's torchvision models at
// their published size. Target: relative L2 error ≤ 1e-4 and the same top-1.
import { describe, expect, it } from 'vitest';
import { FLAVOURS } from '../../src/core/flavour.js';
import { createSession } from '../../src/run/index.js';
import { FIXTURE_FOLDERS, type FixtureFolder, fixtureNames, loadFixture } from '../../bench/fixture-weights.js';

function relativeL2(actual: Float32Array, expected: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < expected.length; i++) {
    num += (actual[i]! - expected[i]!) ** 2;
    den += expected[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

const argmax = (a: Float32Array): number => a.reduce((best, v, i) => (v > a[best]! ? i : best), 0);

const cases = (Object.keys(FIXTURE_FOLDERS) as FixtureFolder[]).flatMap((folder) => fixtureNames(folder).map((name) => ({ name, folder })));

describe.each(cases)('$name ($folder)', ({ name, folder }) => {
  // Weights are regenerated once per network and run in every flavour of the core.
  it(`matches PyTorch in the ${FLAVOURS.join(', ')} cores (relative L2 ≤ 1e-4, same top-1)`, async () => {
    const f = loadFixture(name, folder);
    for (const flavour of FLAVOURS) {
      const session = await createSession(f.onnx, { source: `${name}.onnx`, flavour, weights: f.weights, readExternal: (location) => f.externalData[location]! });
      try {
        const outputs = await session.run({ [session.inputs[0]!.name]: { data: f.input, shape: f.inputShape } });
        const y = outputs[session.outputs[0]!.name]!;
        expect(y.shape).toEqual(f.expectedShape);
        expect(relativeL2(y.data, f.expected), flavour).toBeLessThanOrEqual(1e-4);
        expect(argmax(y.data), flavour).toBe(argmax(f.expected));
      } finally {
        session.dispose();
      }
    }
  }, 300_000);
});
