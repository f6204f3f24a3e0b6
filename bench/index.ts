// `npm run bench -- NAME [--json] [bench options]`. A new benchmark is one entry below: a
// module under bench/ exporting a `Bench`.
// The Node entry point registers how the wasm core is read from disk.
import '../src/node/index.js';
import yargs from 'yargs';
import { type Bench, printRows } from './harness.js';

const benches: Record<string, () => Promise<Bench>> = {
  codesign: async () => (await import('./codesign.js')).codesignBench,
  e2e: async () => (await import('./e2e.js')).e2eBench,
  edgetpu: async () => (await import('./edgetpu.js')).edgetpuBench,
  gbt: async () => (await import('./gbt.js')).gbtBench,
  gemm: async () => (await import('./gemm.js')).gemmBench,
  kernels: async () => (await import('./kernels.js')).kernelsBench,
  scaleout: async () => (await import('./scaleout.js')).scaleoutBench,
  schedule: async () => (await import('./schedule.js')).scheduleBench,
  sim: async () => (await import('./sim.js')).simBench,
  startup: async () => (await import('./startup.js')).startupBench,
  'tuned-e2e': async () => (await import('./tuned-e2e.js')).tunedE2eBench,
  tuners: async () => (await import('./tuners.js')).tunersBench,
  'wasm-size': async () => (await import('./wasm-size.js')).wasmSizeBench,
};

async function main(argv: string[]): Promise<void> {
  const args = await yargs(argv).help(false).version(false).parserConfiguration({ 'camel-case-expansion': true }).parse();
  const name = String(args._[0] ?? '');
  const load = benches[name];
  if (!load) {
    const list = Object.keys(benches).join(', ');
    process.stderr.write(`${name ? `unknown benchmark '${name}'` : 'name a benchmark'}; choose one of: ${list}\n`);
    process.exit(2);
  }
  const bench = await load();
  const json = Boolean(args.json);
  process.stderr.write(`bench ${name}: ${bench.describe}\n`);
  const rows = await bench.run({ json, args, log: (text) => process.stderr.write(`${text}\n`) });
  printRows(rows, json);
}

await main(process.argv.slice(2));
