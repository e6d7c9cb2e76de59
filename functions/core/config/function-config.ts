/**
 * The `functions` section of lambase.config.ts: the user's own functions. Each one is started by
 * exactly one of an HTTP route (`http`), an event (`on`) or a schedule (`schedule`), and names the
 * server-side APIs its `ctx` may use (`uses`), which are exactly the permissions it gets.
 * `defineBackend` validates it with the rest of the config (functions/core/config/define-backend.ts).
 *
 * Adding an event kind: add its name to `PLATFORM_EVENT_KINDS` (no parameter) or give it its own
 * object in `eventTriggerSchema`, then teach functions/core/events/table-events.ts to recognise it.
 */
import { z } from 'zod';
import type { $ZodType } from 'zod/v4/core';
import {
  DOCUMENT_EVENT_KINDS,
  FUNCTION_USES,
  GEOFENCE_EVENT_KINDS,
  HTTP_METHODS,
  PLATFORM_EVENT_KINDS,
  type EventTrigger,
  type EventTriggerInput,
  type DocumentEventKind,
  type FunctionAuth,
  type FunctionTrigger,
  type GeofenceEventKind,
  type ResolvedFunction,
} from './function-kinds.js';

export * from './function-kinds.js';

/** API Gateway waits 30 s for an HTTP integration; a longer function would be cut off. */
export const MAX_HTTP_TIMEOUT_SECONDS = 29;
const DEFAULT_TIMEOUT_SECONDS = { http: 10, event: 60, schedule: 60 } as const;

/** `/stats`, `/reports/{reportId}`: literal segments or `{parameters}`, as API Gateway writes them. */
const ROUTE_PATH = /^(\/([A-Za-z0-9._~-]+|\{[A-Za-z_][A-Za-z0-9_]*\}))+$/;
const HANDLER_PATH = /^(\.\/)?[\w-]+(\/[\w.-]+)*\.ts$/;
const GROUP_NAME = /^[\w.-]{1,128}$/;

const equalityValue = z.union([z.string(), z.number(), z.boolean()], {
  error: 'an equality filter takes a string, number or boolean value',
});

const eventTriggerObject = z.discriminatedUnion(
  'event',
  [
    z.strictObject({
      event: z.enum(DOCUMENT_EVENT_KINDS),
      /** The collection whose documents raise the event. */
      collection: z.string(),
      /** Field equalities the document must meet (after the change; before it, for deletions). */
      where: z.record(z.string(), equalityValue).optional(),
    }),
    z.strictObject({ event: z.enum(PLATFORM_EVENT_KINDS) }),
    z.strictObject({
      event: z.enum(GEOFENCE_EVENT_KINDS),
      /** The geofence collection (marked `geofences`) whose fences raise the event; every one when left out. */
      collection: z.string().optional(),
    }),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `an event: ${[...PLATFORM_EVENT_KINDS, ...GEOFENCE_EVENT_KINDS].map((kind) => `"${kind}"`).join(', ')}, { event: ${GEOFENCE_EVENT_KINDS.map((kind) => `"${kind}"`).join(' | ')}, collection }, or { event: ${DOCUMENT_EVENT_KINDS.map((kind) => `"${kind}"`).join(' | ')}, collection, where? }`
        : undefined,
  },
);

// The string shorthand becomes the object form before validation, so each wrong field is named;
// the cast keeps the input type the config is written in (preprocess would make it `unknown`).
const eventTriggerSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { event: value } : value),
  eventTriggerObject,
) as unknown as z.ZodType<EventTrigger, EventTriggerInput>;

const httpTriggerSchema = z.strictObject({
  method: z.enum(HTTP_METHODS),
  path: z.string().regex(ROUTE_PATH, 'a path such as "/stats" or "/reports/{reportId}": letters, digits, "-", "_", ".", "~" or a {parameter} per segment'),
  auth: z
    .string()
    .refine((auth) => auth === 'public' || auth === 'authenticated' || (auth.startsWith('group:') && GROUP_NAME.test(auth.slice(6))), {
      error: 'auth is "public", "authenticated" or "group:<name>"',
    })
    .default('authenticated')
    .transform((auth) => auth as FunctionAuth),
});

export const functionSchema = z.strictObject({
  /** The handler file, relative to the project root, e.g. "./functions-user/welcome.ts"; it exports `handler`. */
  handler: z
    .string()
    .regex(HANDLER_PATH, 'a .ts file inside the project, relative to its root, e.g. "./functions-user/welcome.ts"')
    .transform((file) => file.replace(/^\.\//, '')),
  /** An HTTP route served by the function. */
  http: httpTriggerSchema.optional(),
  /** The event that starts the function. */
  on: eventTriggerSchema.optional(),
  /** An EventBridge Scheduler expression: `rate(5 minutes)` or `cron(0 9 * * ? *)`. */
  schedule: z
    .string()
    .refine(isScheduleExpression, {
      error: 'a schedule expression: "rate(1 hour)", "rate(5 minutes)" or "cron(minutes hours day-of-month month day-of-week year)"',
    })
    .optional(),
  /** The server-side APIs `ctx` offers, and so the permissions. @default [] */
  uses: z.array(z.enum(FUNCTION_USES, { error: `one of ${FUNCTION_USES.map((use) => `"${use}"`).join(', ')}` })).optional(),
  /** @default 10 for HTTP functions (29 at most), 60 otherwise */
  timeoutSeconds: z.number().int().min(1).max(900).optional(),
  /** @default 512 */
  memoryMb: z.number().int().min(128).max(10_240).default(512),
});

export type FunctionInput = z.input<typeof functionSchema>;

/** What resolving a function needs to know about the rest of the config. */
export type FunctionContext = {
  collections: Record<string, { fields: Record<string, $ZodType>; geofences?: unknown }>;
  groups: readonly string[];
  /** The JSON kind a field holds (`string`, `number`, `boolean`…). */
  kindOf: (schema: $ZodType) => string;
};

/** Checks one function against the rest of the config; each problem names the field and the fix. */
export function resolveFunction(
  name: string,
  input: z.output<typeof functionSchema>,
  context: FunctionContext,
  problems: string[],
): ResolvedFunction {
  const at = `functions.${name}`;
  const starts = (['http', 'on', 'schedule'] as const).filter((key) => input[key] !== undefined);
  if (starts.length !== 1) {
    problems.push(
      starts.length === 0
        ? `${at}: say what starts it: http ({ method, path, auth }), on (an event) or schedule ("rate(…)" / "cron(…)")`
        : `${at}: give exactly one of http, on and schedule (it has ${starts.join(' and ')}); declare another function for the other`,
    );
  }
  const trigger: FunctionTrigger = input.http
    ? { kind: 'http', ...input.http }
    : input.on
      ? { kind: 'event', on: input.on }
      : { kind: 'schedule', expression: input.schedule ?? '' };
  if (trigger.kind === 'http') checkGroup(`${at}.http.auth`, trigger.auth, context.groups, problems);
  if (trigger.kind === 'event' && isDocumentTrigger(trigger.on)) checkDocumentTrigger(`${at}.on`, trigger.on, context, problems);
  if (trigger.kind === 'event' && isGeofenceTrigger(trigger.on)) checkGeofenceTrigger(`${at}.on`, trigger.on, context, problems);
  const timeoutSeconds = input.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS[trigger.kind];
  if (trigger.kind === 'http' && timeoutSeconds > MAX_HTTP_TIMEOUT_SECONDS) {
    problems.push(`${at}.timeoutSeconds: an HTTP function must answer within ${MAX_HTTP_TIMEOUT_SECONDS} s (API Gateway's limit); lower it, or do the long work in an event function`);
  }
  return { name, handler: input.handler, trigger, uses: [...new Set(input.uses ?? [])], timeoutSeconds, memoryMb: input.memoryMb };
}

function checkGroup(at: string, auth: FunctionAuth, groups: readonly string[], problems: string[]): void {
  if (!auth.startsWith('group:')) return;
  const group = auth.slice('group:'.length);
  if (!groups.includes(group)) {
    problems.push(`${at}: group "${group}" is not declared; add it to auth.groups (or use one of: ${groups.join(', ')})`);
  }
}

export function isDocumentTrigger(on: EventTrigger): on is Extract<EventTrigger, { event: DocumentEventKind }> {
  return (DOCUMENT_EVENT_KINDS as readonly string[]).includes(on.event);
}

export function isGeofenceTrigger(on: EventTrigger): on is Extract<EventTrigger, { event: GeofenceEventKind }> {
  return (GEOFENCE_EVENT_KINDS as readonly string[]).includes(on.event);
}

function checkGeofenceTrigger(at: string, on: Extract<EventTrigger, { event: GeofenceEventKind }>, context: FunctionContext, problems: string[]): void {
  const fenceCollections = Object.keys(context.collections).filter((name) => context.collections[name]!.geofences);
  const choices = fenceCollections.length ? `use one of: ${fenceCollections.join(', ')}` : 'no collection is marked geofences yet';
  if (on.collection === undefined) {
    if (!fenceCollections.length) problems.push(`${at}: ${on.event} needs a geofence collection; mark one with geofences: { center, radius } or { polygon }`);
    return;
  }
  if (!Object.hasOwn(context.collections, on.collection)) {
    problems.push(`${at}.collection: "${on.collection}" is not a collection; declare it under collections with geofences, or ${choices}`);
  } else if (!context.collections[on.collection]!.geofences) {
    problems.push(`${at}.collection: ${on.collection} is not a geofence collection; add geofences: { center, radius } or { polygon } to it, or ${choices}`);
  }
}

function checkDocumentTrigger(at: string, on: Extract<EventTrigger, { collection: string }>, context: FunctionContext, problems: string[]): void {
  const collection = Object.hasOwn(context.collections, on.collection) ? context.collections[on.collection] : undefined;
  if (!collection) {
    problems.push(`${at}.collection: "${on.collection}" is not a collection; declare it under collections or use one of: ${Object.keys(context.collections).join(', ')}`);
    return;
  }
  const fields = Object.keys(collection.fields);
  for (const [field, value] of Object.entries(on.where ?? {})) {
    const schema = collection.fields[field];
    if (field === 'owner') {
      if (typeof value !== 'string') problems.push(`${at}.where.owner: owner is a user id, a string`);
    } else if (!schema) {
      problems.push(`${at}.where.${field}: "${field}" is not a field of ${on.collection}; use one of: owner, ${fields.join(', ')}`);
    } else if (context.kindOf(schema) !== typeof value) {
      problems.push(`${at}.where.${field}: ${on.collection}.${field} holds a ${context.kindOf(schema)}, so a ${typeof value} never equals it`);
    }
  }
}

const RATE = /^rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)$/;

/** EventBridge Scheduler's rules: `rate(value unit)` with a singular unit for 1, or a six-field cron. */
export function isScheduleExpression(expression: string): boolean {
  if (RATE.test(expression)) return true;
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!cron) return false;
  const fields = cron[1]!.trim().split(/\s+/);
  // Exactly one of day-of-month and day-of-week is "?".
  return fields.length === 6 && (fields[2] === '?') !== (fields[4] === '?') && fields.every((field) => /^[\w*?,/#LW-]+$/.test(field));
}
