import type { CommandModule } from 'yargs';
import { detectFeatures, gemmSelfCheck, getCore, runtimeName } from '../../src/node/index.js';
import { report, table } from '../output.js';

interface InfoArgs {
  json?: boolean;
}

export const infoCommand: CommandModule<object, InfoArgs> = {
  command: 'info',
  describe: 'Show the runtime, the WebAssembly features and the core flavour loaded, and self-check its GEMM',
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
          ['GEMM self-check', `${check.passed ? 'passed' : 'FAILED'} on ${check.shapes} random shapes (max rel. error ${check.maxRelativeError.toExponential(2)})`],
        ],
      ),
    );
    if (!check.passed) process.exitCode = 1;
  },
};
