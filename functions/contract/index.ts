/**
 * Every operation of the HTTP contract, in the order the OpenAPI document lists them.
 * The route table (lib/routes.ts) maps each one to its function; a test keeps the two in step.
 */
import type { Operation } from './operation.js';
import { getOpenApiOperation } from './system.js';

export const operations: readonly Operation[] = [getOpenApiOperation];
