// The browser side of the cross-runtime API test: the same calls as in Node and Deno, through
// the library bundled by Vite from 'mapwise' itself (package.json `exports`, browser condition).
import * as mapwise from 'mapwise';
// @ts-expect-error plain JavaScript shared with the Node and Deno sides of the test
import { apiCalls } from './api-calls.js';
// @ts-expect-error plain JavaScript shared with the Node and Deno sides of the runtime test
import { inferCalls } from './infer-calls.js';

declare global {
  interface Window {
    mapwiseApiCheck: (onnxUrl: string) => Promise<unknown>;
    mapwiseInferCheck: (folderUrl: string) => Promise<unknown>;
    mapwiseInferThreadsCheck: (folderUrl: string) => Promise<unknown>;
  }
}

window.mapwiseApiCheck = async (onnxUrl) => {
  const response = await fetch(onnxUrl);
  if (!response.ok) throw new Error(`${onnxUrl}: HTTP ${response.status}`);
  const result = { runtime: mapwise.runtimeName(), calls: await apiCalls(mapwise, new Uint8Array(await response.arrayBuffer())) };
  document.getElementById('result')!.textContent = JSON.stringify(result, null, 1).slice(0, 4000);
  return result;
};

async function inferCheck(folderUrl: string, threads: number): Promise<unknown> {
  const read = async (file: string): Promise<Uint8Array> => {
    const response = await fetch(`${folderUrl}/${file}`);
    if (!response.ok) throw new Error(`${file}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  return { runtime: mapwise.runtimeName(), calls: await inferCalls(mapwise, read, threads) };
}

window.mapwiseInferCheck = (folderUrl) => inferCheck(folderUrl, 1);
// Threads need the page cross-origin isolated (the test server sends COOP and COEP).
window.mapwiseInferThreadsCheck = (folderUrl) => inferCheck(folderUrl, 2);
