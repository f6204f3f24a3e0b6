// Plots as PNG, for people who paste them into documents: the SVG rasterised by resvg compiled to
// WebAssembly, at twice its size. resvg draws text only with fonts it is given: a sans-serif
// TrueType font is read from the usual system folders.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initWasm, Resvg } from '@resvg/resvg-wasm';

/** [family, regular, bold]: the first family whose regular file exists is used. */
const FONTS: readonly [string, string, string][] = [
  ['DejaVu Sans', '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'],
  ['Liberation Sans', '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf'],
  ['Arial', '/System/Library/Fonts/Supplemental/Arial.ttf', '/System/Library/Fonts/Supplemental/Arial Bold.ttf'],
  ['Arial', 'C:\\Windows\\Fonts\\arial.ttf', 'C:\\Windows\\Fonts\\arialbd.ttf'],
];

let ready: Promise<{ family: string; buffers: Uint8Array[] }> | undefined;

function load(): Promise<{ family: string; buffers: Uint8Array[] }> {
  ready ??= (async () => {
    const font = FONTS.find(([, regular]) => existsSync(regular));
    if (!font) throw new Error(`PNG plots need a sans-serif TrueType font; none of ${FONTS.map(([, regular]) => regular).join(', ')} exists (on Debian: apt-get install fonts-dejavu-core)`);
    const [family, regular, bold] = font;
    await initWasm(readFileSync(createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm')));
    return { family, buffers: [regular, bold].filter((file) => existsSync(file)).map((file) => new Uint8Array(readFileSync(file))) };
  })();
  return ready;
}

/** An SVG drawn to PNG bytes at twice its size, on white. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const { family, buffers } = await load();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
    font: { fontBuffers: buffers, defaultFontFamily: family, sansSerifFamily: family },
  });
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}
