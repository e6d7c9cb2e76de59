/** The storage operations of the HTTP contract (../shared/API.md). */
import type { Operation } from './operation.js';

export const storageOperations: readonly Operation[] = [];
