#!/usr/bin/env node
// `mapwise --version` answers before yargs loads: it is the one call scripts make to see the CLI
// is there, and yargs alone costs more than the 80 ms a command may add to Node's start.
const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  const { VERSION } = await import('../dist/src/version.js');
  process.stdout.write(`${VERSION}\n`);
} else {
  // Node 20 accepts relaxed SIMD only behind a V8 flag; set it before any wasm is compiled
  // so the CLI can run the fused multiply-add build. Newer engines accept it anyway.
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  const { main } = await import('../dist/cli/index.js');
  await main(args);
}
