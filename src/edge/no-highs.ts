// Stands in for the `highs` package in the workerd bundle (vite.edge.config.ts): workerd cannot
// compile HiGHS's wasm at run time, and the exact scheduler is not offered over HTTP.
export default function loadHighs(): Promise<never> {
  return Promise.reject(new Error('the exact scheduler (HiGHS) is not bundled in the edge worker; use dp, compiler or learned'));
}
