import type { CommandParts } from './lazy.js';
import { detectFeatures } from '../../src/core/features.js';
import { FLAVOURS } from '../../src/core/flavour.js';
import { getCore, runtimeName } from '../../src/core/load.js';
import { gemmSelfCheck } from '../../src/core/selfcheck.js';
import { coreSizes } from '../../src/node/core-sizes.js';
import { report, table } from '../output.js';

interface InfoArgs {
  json?: boolean;
}

export const infoCommand: CommandParts<InfoArgs> = {
  handler: async (argv) => {
    const core = await getCore();
    const check = gemmSelfCheck(core);
    const result = {
      runtime: runtimeName(),
      runtimeVersion: process.versions.node,
      flavour: core.flavour,
      features: detectFeatures(),
      fusedMultiplyAdd: core.fusedMultiplyAdd,
      gemmSelfCheck: check,
      wasmBytes: coreSizes(),
    };
    report(argv, result, (r) =>
      table(
        ['what', 'value'],
        [
          ['runtime', `${r.runtime} ${r.runtimeVersion}`],
          ['wasm flavour', r.flavour],
          ['SIMD128', String(r.features.simd)],
          ['relaxed SIMD', String(r.features.relaxedSimd)],
          ['fused multiply-add', String(r.fusedMultiplyAdd)],
          ['wasm bytes', FLAVOURS.map((f) => `${f} ${r.wasmBytes[f] ?? 'missing'}`).join(', ')],
          ['GEMM self-check', `${check.passed ? 'passed' : 'FAILED'} on ${check.shapes} random shapes (max rel. error ${check.maxRelativeError.toExponential(2)})`],
        ],
      ),
    );
    if (!check.passed) process.exitCode = 1;
  },
};
