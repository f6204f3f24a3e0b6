// The isomorphic library surface shared by every entry point. Entry points add only the way
// their runtime loads the WebAssembly core.
export * from './core/index.js';
export { gemmSelfCheck, type GemmCheck } from './core/selfcheck.js';
export { Random } from './helpers/random.js';
export * from './graph/index.js';
export { VERSION } from './version.js';
