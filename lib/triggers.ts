/**
 * The trigger table: every function started by an event rather than an HTTP request — the
 * platform's own (Cognito and S3 triggers) and the custom functions of lambase.config.ts. The CDK
 * (lib/triggers-construct.ts) and local mode's event pump are both built from it. Pure data.
 */
import type { Backend } from '../functions/core/config/define-backend.js';
import type { DocumentEvent, TriggerDefinition } from './route-types.js';
import { authTriggers } from './routes/auth-routes.js';
import { realtimeTriggers } from './routes/realtime-routes.js';
import { storageTriggers } from './routes/storage-routes.js';

export type { CognitoTriggerEvent, DocumentEvent, TriggerDefinition, TriggerSource } from './route-types.js';

/** The platform's own triggers, feature by feature (each keeps its section in lib/routes/<feature>.ts). */
export const platformTriggers: readonly TriggerDefinition[] = [...authTriggers, ...storageTriggers, ...realtimeTriggers];

/** The custom functions declared in lambase.config.ts, as triggers. */
export function customTriggers(backend: Pick<Backend, 'functions'>): TriggerDefinition[] {
  return Object.entries(backend.functions).map(([name, fn]) => {
    const settings = { name, handler: fn.handler, grants: [], timeoutSeconds: fn.timeoutSeconds, memoryMb: fn.memoryMb };
    return fn.trigger.type === 'documents'
      ? { ...settings, source: 'documents', collection: fn.trigger.collection, events: fn.trigger.events }
      : { ...settings, source: 'schedule', expression: fn.trigger.expression };
  });
}

export function allTriggers(backend: Pick<Backend, 'functions'>): TriggerDefinition[] {
  return [...platformTriggers, ...customTriggers(backend)];
}

const STREAM_EVENT_NAMES: Record<DocumentEvent, string> = { create: 'INSERT', update: 'MODIFY', delete: 'REMOVE' };

/**
 * Lambda event-filter patterns (OR-ed) selecting one collection's document changes: inserts and
 * modifications by their new image, removals (TTL expiry included) by their old image.
 */
export function documentFilterPatterns(trigger: { collection: string; events: readonly DocumentEvent[] }): Record<string, unknown>[] {
  const image = { entity: { S: ['document'] }, collection: { S: [trigger.collection] } };
  const patterns: Record<string, unknown>[] = [];
  const upserts = trigger.events.filter((event) => event !== 'delete').map((event) => STREAM_EVENT_NAMES[event]);
  if (upserts.length) patterns.push({ eventName: upserts, dynamodb: { NewImage: image } });
  if (trigger.events.includes('delete')) patterns.push({ eventName: ['REMOVE'], dynamodb: { OldImage: image } });
  return patterns;
}
