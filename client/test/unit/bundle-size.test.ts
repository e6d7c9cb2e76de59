/** The client's weight as an app ships it (esbuild bundle, minified, gzip -9): under budget, and tree-shakable. */
import { expect, it } from 'vitest';
import { CLIENT_SIZE_BUDGET_BYTES, measureClientSize } from '../../scripts/measure-size.js';

it('keeps the whole client under 15 KB min+gzip, and leaves out the services an app does not use', async () => {
  const { whole, authAndOneCollection } = await measureClientSize();
  expect(whole.gzipped).toBeLessThan(CLIENT_SIZE_BUDGET_BYTES);
  // Composing only auth and one collection drops files (XMLHttpRequest) and the realtime socket (ping).
  expect(whole.text).toContain('XMLHttpRequest');
  expect(whole.text).toContain('"ping"');
  expect(authAndOneCollection.text).not.toContain('XMLHttpRequest');
  expect(authAndOneCollection.text).not.toContain('"ping"');
  expect(authAndOneCollection.gzipped).toBeLessThan(whole.gzipped);
});
