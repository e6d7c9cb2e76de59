/**
 * `securityTest`: vitest's `test` with a `tally` fixture. Every case a test runs is counted in its
 * category (the HTTP status it got, plus named figures such as writes lost), kept in the test's
 * metadata, and summed per category by the summary reporter (summary-reporter.ts) at the end of
 * `npm run test:security`.
 *
 * @example
 * securityTest('another user\'s note is 404', async ({ tally }) => {
 *   const response = await send(...);
 *   tally.status(response.status);
 *   expect(response.status).toBe(404);
 * });
 */
import { test } from 'vitest';
import type { Category, TallyRecord } from './categories.js';

export type { Category, TallyRecord };

export type Tally = {
  /** Counts one case that got this HTTP status. */
  status(status: number): void;
  /** Counts one case with no HTTP answer (a check on a template, a process…). */
  check(): void;
  /** Adds `value` to a named figure. */
  figure(name: string, value: number): void;
};

type Fixtures = { category: Category; tally: Tally };

export const securityTest = test.extend<Fixtures>({
  category: 'authorization',
  tally: async ({ task, category }, use) => {
    const record: TallyRecord = { category, cases: 0, statuses: {}, figures: {} };
    task.meta.security = record;
    await use({
      status(status) {
        record.cases += 1;
        const bucket = `${Math.floor(status / 100)}xx`;
        record.statuses[bucket] = (record.statuses[bucket] ?? 0) + 1;
      },
      check() {
        record.cases += 1;
      },
      figure(name, value) {
        record.figures[name] = (record.figures[name] ?? 0) + value;
      },
    });
  },
});

/** The same test, counting in `category`: `const it = testIn('tokens')`. */
export function testIn(category: Category) {
  return securityTest.extend<Pick<Fixtures, 'category'>>({ category });
}
