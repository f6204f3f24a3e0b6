// Puts the wasm builds and their bindings beside the compiled TypeScript, at the same
// relative path they have beside the sources (dist/src/core → dist/build).
import { cpSync, mkdirSync, readdirSync } from 'node:fs';

mkdirSync('dist/build', { recursive: true });
for (const file of readdirSync('build')) cpSync(`build/${file}`, `dist/build/${file}`);
