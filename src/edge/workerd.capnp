# workerd's config for the edge bundle (npm run build:edge writes dist/edge):
#   npx workerd serve src/edge/workerd.capnp    → http://localhost:8787
# Cloudflare's wrangler takes the same two kinds of module: the worker (ES module) and the
# precompiled wasm it imports.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "mapwise", worker = .worker)],
  sockets = [(name = "http", address = "*:8787", http = (), service = "mapwise")],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "../../dist/edge/worker.js"),
    (name = "mapwise-relaxed.wasm", wasm = embed "../../dist/edge/mapwise-relaxed.wasm"),
    (name = "mapwise-simd.wasm", wasm = embed "../../dist/edge/mapwise-simd.wasm"),
  ],
  compatibilityDate = "2026-04-01",
);
