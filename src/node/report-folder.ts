// Writes a report folder: report.md, report.json and the plots rendered to SVG (and, on request,
// to PNG beside them).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportParts } from '../report/pipeline.js';
import { renderSvg } from '../report/vega.js';
import { svgToPng } from './png.js';

export async function writeReportFolder(dir: string, parts: ReportParts, json: object, options: { png?: boolean } = {}): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written = ['report.md', 'report.json'];
  writeFileSync(join(dir, 'report.md'), parts.markdown);
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(json, null, 2)}\n`);
  for (const [file, spec] of Object.entries(parts.plots)) {
    const svg = await renderSvg(spec);
    writeFileSync(join(dir, file), svg);
    written.push(file);
    if (options.png) {
      const png = file.replace(/\.svg$/, '.png');
      writeFileSync(join(dir, png), await svgToPng(svg));
      written.push(png);
    }
  }
  return written;
}
