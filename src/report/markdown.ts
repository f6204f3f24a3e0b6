// Small Markdown builders for reports.

export type Cell = string | number | null;

export function markdownTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cell = (value: Cell): string => (value === null ? '–' : typeof value === 'number' ? formatFigure(value) : value.replace(/\|/g, '\\|'));
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** Four significant figures, thousands separated; integers exact. */
export function formatFigure(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const digits = Math.abs(value) >= 1000 ? 0 : Math.max(0, 3 - Math.floor(Math.log10(Math.abs(value) || 1)));
  return value.toLocaleString('en-US', { maximumFractionDigits: Math.min(digits, 8), minimumFractionDigits: 0 });
}
