/**
 * Prints, at the end of `npm run test:security`, one line per category: its tests (passed of
 * run), its cases, their HTTP answers by class (5xx must be 0) and the category's named figures
 * (writes acknowledged, lost, duplicated…), from the tallies the tests kept (security-test.ts).
 */
import type { Reporter, TestModule } from 'vitest/node';
import { CATEGORIES, type Category, type TallyRecord } from './categories.js';

type Row = { tests: number; passed: number; cases: number; statuses: Record<string, number>; figures: Record<string, number> };

export default class SecuritySummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows = new Map<Category, Row>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const record: TallyRecord | undefined = test.meta().security;
        if (!record) continue;
        const row = rows.get(record.category) ?? { tests: 0, passed: 0, cases: 0, statuses: {}, figures: {} };
        row.tests += 1;
        if (test.result().state === 'passed') row.passed += 1;
        row.cases += record.cases;
        for (const [bucket, count] of Object.entries(record.statuses)) row.statuses[bucket] = (row.statuses[bucket] ?? 0) + count;
        for (const [name, value] of Object.entries(record.figures)) row.figures[name] = (row.figures[name] ?? 0) + value;
        rows.set(record.category, row);
      }
    }
    if (rows.size === 0) return;
    const lines = ['', 'Security and reliability suite — summary', ''];
    lines.push(`${'category'.padEnd(16)} ${'tests'.padStart(9)} ${'cases'.padStart(7)} ${'2xx'.padStart(6)} ${'4xx'.padStart(6)} ${'5xx'.padStart(5)}  figures`);
    const total: Row = { tests: 0, passed: 0, cases: 0, statuses: {}, figures: {} };
    for (const category of Object.keys(CATEGORIES) as Category[]) {
      const row = rows.get(category);
      if (!row) continue;
      total.tests += row.tests;
      total.passed += row.passed;
      total.cases += row.cases;
      for (const [bucket, count] of Object.entries(row.statuses)) total.statuses[bucket] = (total.statuses[bucket] ?? 0) + count;
      lines.push(format(category, row));
    }
    lines.push(format('total', { ...total, figures: {} }));
    lines.push('');
    lines.push('tests: passed/run; cases: requests and checks; 2xx/4xx/5xx: the answers to those requests.');
    for (const category of rows.keys()) lines.push(`  ${category.padEnd(16)} ${CATEGORIES[category]}`);
    console.log(lines.join('\n'));
  }
}

function format(name: string, row: Row): string {
  const figures = Object.entries(row.figures)
    .map(([figure, value]) => `${figure} ${Number.isInteger(value) ? value : value.toFixed(1)}`)
    .join(', ');
  const count = (bucket: string) => String(row.statuses[bucket] ?? 0);
  return [
    name.padEnd(16),
    `${row.passed}/${row.tests}`.padStart(9),
    String(row.cases).padStart(7),
    count('2xx').padStart(6),
    count('4xx').padStart(6),
    count('5xx').padStart(5),
    ` ${figures}`,
  ].join(' ');
}
