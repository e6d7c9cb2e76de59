/** The storage feature's section of the route table (lib/routes.ts). */
import type { RouteDefinition } from '../routes.js';
import type { TriggerDefinition } from '../triggers.js';

export const storageRoutes: readonly RouteDefinition[] = [];

/** The storage feature's event-driven functions (lib/triggers.ts). */
export const storageTriggers: readonly TriggerDefinition[] = [];
