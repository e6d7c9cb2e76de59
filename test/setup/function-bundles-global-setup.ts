/**
 * Local-mode and end-to-end tests run the functions' bundles, as local mode does: building what
 * the cache lacks once, before any test, keeps each test's first calls from paying for it.
 */
import { prepareLocalBundles } from '../../local/prepare-bundles.js';

export default async function setup(): Promise<void> {
  await prepareLocalBundles();
}
