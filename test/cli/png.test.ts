// Plots as PNG (compile --png, codesign --png): resvg's rendering of the same SVG, at twice its
// size, with its text drawn.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { svgToPng } from '../../src/node/png.js';

const dir = mkdtempSync(join(tmpdir(), 'mapwise-png-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Width and height from a PNG's IHDR chunk (after the 8-byte signature and the chunk header). */
function pngSize(png: Uint8Array): [number, number] {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset);
  return [view.getUint32(16), view.getUint32(20)];
}

const svgOf = (body: string): string => `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">${body}</svg>`;

describe('PNG plots', () => {
  it('are twice the SVG in size and draw its text', async () => {
    const text = await svgToPng(svgOf('<text x="5" y="25" font-family="sans-serif" font-size="14px">mapwise</text>'));
    const blank = await svgToPng(svgOf(''));
    expect(pngSize(text)).toEqual([240, 80]);
    expect(Buffer.from(text).equals(Buffer.from(blank))).toBe(false); // without a font, resvg draws no text
  });

  it('compile --png writes a PNG beside every SVG, and codesign --png the trade-off plot', () => {
    const out = join(dir, 'compiled');
    const run = spawnSync('node', ['bin/mapwise.js', 'compile', 'alexnetconvs', '--target', 'systolic', '--budget', '30', '--png', '--out', out, '--json'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const files: string[] = JSON.parse(run.stdout).files;
    for (const svg of files.filter((f) => f.endsWith('.svg'))) {
      expect(files).toContain(svg.replace(/\.svg$/, '.png'));
      const width = Number(/<svg[^>]*width="([\d.]+)"/.exec(readFileSync(join(out, svg), 'utf8'))![1]);
      expect(pngSize(readFileSync(join(out, svg.replace(/\.svg$/, '.png'))))[0]).toBe(Math.round(2 * width));
    }
    const png = join(dir, 'tradeoff.png');
    const codesign = spawnSync('node', ['bin/mapwise.js', 'codesign', 'alexnetconvs', '--budget', '30', '--png', png, '--json'], { encoding: 'utf8' });
    expect(codesign.status, codesign.stderr).toBe(0);
    expect(pngSize(readFileSync(png))[0]).toBeGreaterThan(400);
  }, 120_000);
});
