import { fileURLToPath } from 'node:url';

/**
 * The repository root (where lambase.config.ts, functions/ and node_modules/ are): handler paths in
 * the route and trigger tables are relative to it, for the CDK bundler and local mode alike.
 */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
