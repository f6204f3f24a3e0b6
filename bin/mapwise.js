#!/usr/bin/env node
// Node 20 accepts relaxed SIMD only behind a V8 flag; set it before any wasm is compiled
// so the CLI can run the fused multiply-add build. Newer engines accept it anyway.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--experimental-wasm-relaxed-simd');
const { main } = await import('../dist/cli/index.js');
await main(process.argv.slice(2));
