/**
 * Loads lambase.config.ts for the CDK app and local mode. A broken config stops both with the
 * list of problems `defineBackend` found, each naming the field and the fix.
 */
import type { Backend } from '../functions/core/config/define-backend.js';

export async function loadBackend(): Promise<Backend> {
  const module = (await import('../lambase.config.js')) as { default?: Backend };
  if (!module.default?.collections) {
    throw new Error('lambase.config.ts must `export default defineBackend({ ... })`.');
  }
  return module.default;
}
