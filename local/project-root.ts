import { fileURLToPath } from 'node:url';

/** The repository root (where lambase.config.ts, functions/ and node_modules/ are). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
