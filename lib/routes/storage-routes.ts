/** The storage feature's section of the route table (lib/routes.ts). */
import type { RouteDefinition } from '../routes.js';

export const storageRoutes: readonly RouteDefinition[] = [];
