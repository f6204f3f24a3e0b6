// The edge bundle (dist/edge/worker.js, built by vite.edge.config.ts) under workerd through
// miniflare, as the edge tests run it: the wasm core as precompiled modules.
import { Miniflare } from 'miniflare';

export async function startWorker(): Promise<Miniflare> {
  const mf = new Miniflare({
    modules: true,
    scriptPath: 'dist/edge/worker.js',
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate: '2026-04-01',
  });
  await mf.ready;
  return mf;
}
