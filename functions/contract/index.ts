/**
 * Every operation of the HTTP contract, in the order the OpenAPI document lists them. Each feature
 * declares its operations in its own file; the route table (lib/routes.ts) maps each one to its
 * function, and a test keeps the two in step.
 */
import type { Operation } from './operation.js';
import { authOperations } from './auth.js';
import { dataOperations } from './data.js';
import { geoOperations } from './geo.js';
import { pushOperations } from './push.js';
import { storageOperations } from './storage.js';
import { getOpenApiOperation } from './system.js';

export const operations: readonly Operation[] = [getOpenApiOperation, ...authOperations, ...dataOperations, ...storageOperations, ...pushOperations, ...geoOperations];
