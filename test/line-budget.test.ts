// The source stays within the line budgets of line-budget.json: growing past one needs a
// commit that raises it, on purpose.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const { budgets } = JSON.parse(readFileSync('line-budget.json', 'utf8')) as { budgets: Record<string, number> };

/** Lines of the .ts files under `folder`, leaving out generated and vendored code. */
function linesUnder(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'generated' && entry.name !== 'vendor') total += linesUnder(path);
    } else if (entry.name.endsWith('.ts')) {
      total += readFileSync(path, 'utf8').split('\n').length - 1;
    }
  }
  return total;
}

it.each(Object.entries(budgets))('%s/ stays within %i lines', (folder, budget) => {
  const lines = linesUnder(folder);
  expect(lines, `${folder}/ has ${lines} lines, over its budget of ${budget} (line-budget.json)`).toBeLessThanOrEqual(budget);
  // A budget far above the code is no budget: keep it within a quarter of the real size.
  expect(budget, `${folder}/: the budget ${budget} is more than 25% above its ${lines} lines; lower it`).toBeLessThanOrEqual(Math.ceil(lines * 1.25));
});
