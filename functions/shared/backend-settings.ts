/**
 * lambase.config.ts without the collections' field schemas: what a function that validates no
 * document reads (auth, storage, push, location). Inside a function bundle the shared build serves
 * this module as plain data (build/function-build.ts), so importing it builds no zod schema; the
 * full config is ~3 KB of schemas plus the zod/mini code they need. Everywhere else (tests, the
 * CDK) it is the config itself, seen through a type without `fields`, so code that reads a field
 * schema from it does not compile: such code imports lambase.config.ts.
 *
 * @example
 * import backend from '../shared/backend-settings.js';
 * const adminGroup = backend.auth.adminGroup;
 */
import backend from '../../lambase.config.js';
import type { BackendSettings } from '../core/config/define-backend.js';

const settings: BackendSettings = backend;

export default settings;
