/** The auth feature's section of the route table (lib/routes.ts). */
import type { RouteDefinition } from '../routes.js';
import type { TriggerDefinition } from '../triggers.js';

export const authRoutes: readonly RouteDefinition[] = [];

/** The auth feature's event-driven functions (lib/triggers.ts). */
export const authTriggers: readonly TriggerDefinition[] = [];
