// The plain TypeScript port of SCALE-Sim agrees with SCALE-Sim's own output on the small golden cases.
import { describe, expect, it } from 'vitest';
import { loadGolden } from './golden.js';
import { referenceLayer } from './reference.js';
import { layerFigures } from './figures.js';

const cases = loadGolden().filter((c) => c.name.startsWith('r') || c.name.startsWith('u'));

describe('TypeScript reference of SCALE-Sim v2', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, golden) => {
    golden.layers.forEach((layer, i) => {
      const result = referenceLayer(golden.config, layer);
      expect(layerFigures(result)).toEqual(layerFigures(golden, i));
    });
  });
});
