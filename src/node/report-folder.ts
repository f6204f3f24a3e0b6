// Writes a report folder: report.md, report.json and the plots rendered to SVG.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportParts } from '../report/pipeline.js';
import { renderSvg } from '../report/vega.js';

export async function writeReportFolder(dir: string, parts: ReportParts, json: object): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written = ['report.md', 'report.json'];
  writeFileSync(join(dir, 'report.md'), parts.markdown);
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(json, null, 2)}\n`);
  for (const [file, spec] of Object.entries(parts.plots)) {
    writeFileSync(join(dir, file), await renderSvg(spec));
    written.push(file);
  }
  return written;
}
