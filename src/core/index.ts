export { Core, type F32Buffer } from './core.js';
export { detectFeatures, type WasmFeatures } from './features.js';
export { bestFlavour, FLAVOURS, type Flavour, wasmUrl } from './flavour.js';
export { features, fetchProvider, getCore, type ModuleProvider, registerRuntime, runtimeName } from './load.js';
