// Vega-Lite specs rendered to SVG by vega's headless renderer: no browser and no canvas, so
// the same plots come out in Node, Deno, browsers and edge functions.
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
