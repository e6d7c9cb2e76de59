/**
 * The trigger table: every function started by an event rather than an HTTP request — the
 * platform's own (Cognito and S3 triggers, the event dispatcher) and the event and scheduled
 * functions of lambase.config.ts. The CDK (lib/triggers-construct.ts) and local mode's event
 * routing are both built from it. Pure data.
 */
import type { Backend } from '../functions/core/config/define-backend.js';
import type { TriggerDefinition } from './route-types.js';
import { authTriggers } from './routes/auth-routes.js';
import { functionTriggers } from './routes/function-routes.js';
import { realtimeTriggers } from './routes/realtime-routes.js';
import { storageTriggers } from './routes/storage-routes.js';

export type { CognitoTriggerEvent, TriggerDefinition, TriggerSource } from './route-types.js';

/** The platform's own triggers, feature by feature (each keeps its section in lib/routes/<feature>.ts). */
export const platformTriggers: readonly TriggerDefinition[] = [...authTriggers, ...storageTriggers, ...realtimeTriggers];

/** Every trigger of `backend`: the platform's, then its user functions' (and their event dispatcher). */
export function allTriggers(backend: Pick<Backend, 'functions'>): TriggerDefinition[] {
  return [...platformTriggers, ...functionTriggers(backend)];
}
