/**
 * `defineBackend()`: the user's whole backend in one typed, validated object. The CDK app, the
 * Lambda functions, local mode and the client types all read the object it returns, so a mistake
 * is caught at `cdk synth` and at `npm start` alike, with a message that names the field and the fix.
 *
 * This module runs where the config is loaded (CDK app, local mode, tests, code generators), never
 * inside a function: the shared build (build/) replaces lambase.config.ts in every bundle with the
 * already validated object, its collection fields rebuilt on zod/mini (build/compile-config.ts).
 */
import { z } from 'zod';
import type { $ZodType } from 'zod/v4/core';
import { ACTIONS, isAccessRule, type AccessRule, type Action } from './access-rules.js';
import { MAX_INDEXES_PER_COLLECTION, RESERVED_FIELDS } from './collection-rules.js';
import { functionSchema, resolveFunction, type ResolvedFunction } from './function-config.js';

export { point, polygon } from '../geo/geo-fields.js';

/** Fields an index may sort on besides the collection's own. */
const SORTABLE_RESERVED = ['createdAt', 'updatedAt'] as const;

const COLLECTION_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const CONTENT_TYPE = /^[a-z]+\/([a-z0-9][a-z0-9.+-]*|\*)$/;

const zodSchema = z.custom<z.ZodType>((value) => value instanceof z.ZodType, {
  message: 'must be a zod schema, e.g. z.string().max(200)',
});

const ruleList = z
  .union([z.string(), z.array(z.string()).min(1)])
  .transform((value) => (Array.isArray(value) ? value : [value]))
  .superRefine((rules, ctx) => {
    for (const rule of rules) {
      if (!isAccessRule(rule)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown access rule "${rule}": use "public", "authenticated", "owner" or "group:<name>"`,
        });
      }
    }
  })
  .pipe(z.array(z.custom<AccessRule>()));

const collectionSchema = z.strictObject({
  fields: z.record(z.string(), zodSchema),
  access: z.strictObject(Object.fromEntries(ACTIONS.map((action) => [action, ruleList.optional()]))).optional(),
  indexes: z
    .record(
      z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,31}$/, 'index names are letters and digits, starting with a letter'),
      z.union([
        z.strictObject({ partition: z.string(), sort: z.string().optional() }),
        /** A geo index on a point field, optionally within an equality partition ("cafés near me"). */
        z.strictObject({ geo: z.string(), partition: z.string().optional() }),
      ], { error: 'an index is { partition, sort? } or { geo: "<point field>", partition? }' }),
    )
    .optional(),
  ttl: z.string().optional(),
  /** The documents are geofences: a circle (point field + radius field) or a polygon field. */
  geofences: z
    .union([
      z.strictObject({ center: z.string(), radius: z.string() }),
      z.strictObject({ polygon: z.string() }),
    ], { error: 'geofences is { center: "<point field>", radius: "<number field>" } or { polygon: "<polygon field>" }' })
    .optional(),
});

/** Credentials are referenced by the name of a Secrets Manager secret, never written here. */
const secretReference = z.strictObject({
  secretName: z.string().regex(SECRET_NAME, 'a Secrets Manager secret name, not the secret itself'),
});

const backendSchema = z.strictObject({
  collections: z.record(z.string(), collectionSchema),
  storage: z
    .strictObject({
      maxFileSize: z.number().int().positive().max(5 * 1024 ** 3).default(10 * 1024 * 1024),
      allowedContentTypes: z
        .array(z.string().regex(CONTENT_TYPE, 'a MIME type such as "image/png" or "image/*"'))
        .min(1)
        .default(['image/*', 'application/pdf', 'text/plain']),
      uploadUrlExpiresInSeconds: z.number().int().min(60).max(3600).default(600),
    })
    .prefault({}),
  push: z
    .strictObject({
      apns: secretReference.optional(),
      apnsSandbox: secretReference.optional(),
      fcm: secretReference.optional(),
      /** Topics devices may subscribe to (`PUT /push/topics/{topic}`). */
      topics: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'topic names are letters, digits, "_" and "-"')).default([]),
    })
    .prefault({}),
  api: z
    .strictObject({
      /**
       * The stage's throttle (API Gateway token bucket, and local mode's gateway): steady requests
       * a second and burst. Answers beyond it are 429.
       */
      throttle: z
        .strictObject({ rateLimit: z.number().positive().max(10_000), burstLimit: z.number().int().positive().max(5_000) })
        .default({ rateLimit: 100, burstLimit: 200 }),
    })
    .prefault({}),
  auth: z
    .strictObject({
      adminGroup: z.string().regex(/^[\w.-]{1,128}$/).default('admin'),
      groups: z.array(z.string().regex(/^[\w.-]{1,128}$/)).default([]),
      /**
       * TOTP MFA: `optional` lets users enrol. `required` is refused until the API has the
       * enrolment routes, since nobody could then sign in.
       */
      mfa: z.enum(['off', 'optional'], { error: 'mfa is "off" or "optional" ("required" needs MFA enrolment routes, not built yet)' }).default('optional'),
      /**
       * Send Cognito's emails through SES (an identity verified in this account). Without it
       * Cognito's own sender allows about 50 emails a day: fine for development, not for production.
       */
      email: z
        .strictObject({
          from: z.email(),
          replyTo: z.email().optional(),
          /** Where the SES identity lives. @default the stack's region */
          sesRegion: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/).optional(),
        })
        .optional(),
    })
    .prefault({}),
  functions: z
    .record(z.string().regex(/^[a-z][a-z0-9-]{0,47}$/, 'function names are lower-case letters, digits and "-"'), functionSchema)
    .default({}),
});

export type BackendInput = z.input<typeof backendSchema>;
export type CollectionInput = z.input<typeof collectionSchema>;

export type ResolvedIndex = {
  name: string;
  partition: string;
  sort: string;
  /** 1-based generic GSI slot this index is stored in (`ix<slot>pk` / `ix<slot>sk`). */
  slot: number;
};

/** A geo index: the point field, an optional equality partition field, and its GSI slot. */
export type ResolvedGeoIndex = {
  name: string;
  field: string;
  partition: string | undefined;
  slot: number;
};

export type ResolvedGeofences = { kind: 'circle'; center: string; radius: string } | { kind: 'polygon'; polygon: string };

export type ResolvedCollection = {
  name: string;
  /** Full zod as written in the config; inside a function bundle, the same schemas on zod/mini. */
  fields: Record<string, $ZodType>;
  access: Record<Action, AccessRule[]>;
  /** The partition/sort indexes (slots are shared with the geo indexes, in declaration order). */
  indexes: ResolvedIndex[];
  geoIndexes: ResolvedGeoIndex[];
  ttl: string | undefined;
  geofences: ResolvedGeofences | undefined;
};

export type Backend<T extends BackendInput = BackendInput> = Omit<z.output<typeof backendSchema>, 'collections' | 'functions'> & {
  collections: Record<string, ResolvedCollection>;
  /** The user's own functions (functions/core/config/function-config.ts). */
  functions: Record<string, ResolvedFunction>;
  /** The input exactly as written, for type inference only (client types). */
  readonly definition: T;
};

/** A collection's settings without its field schemas: enough to find, key, index, fence and guard its documents. */
export type CollectionSettings = Omit<ResolvedCollection, 'fields'>;

/**
 * The config without the collections' field schemas (functions/shared/backend-settings.ts): what
 * a function that validates no document reads.
 */
export type BackendSettings = Omit<Backend, 'collections' | 'definition'> & { collections: Record<string, CollectionSettings> };

/** A config that cannot run: every problem, each naming the field and the fix. */
export class BackendConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`lambase.config.ts is not valid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'BackendConfigError';
  }
}

/**
 * Declares the backend. Throws `BackendConfigError` when the config is wrong.
 *
 * @example
 * export default defineBackend({
 *   collections: { notes: { fields: { title: z.string().min(1).max(200) } } },
 * });
 */
export function defineBackend<const T extends BackendInput>(definition: T): Backend<T> {
  const parsed = backendSchema.safeParse(definition);
  if (!parsed.success) {
    throw new BackendConfigError(parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`));
  }
  const problems: string[] = [];
  const collections: Record<string, ResolvedCollection> = {};
  for (const [name, input] of Object.entries(parsed.data.collections)) {
    collections[name] = resolveCollection(name, input, problems);
  }
  const functions: Record<string, ResolvedFunction> = {};
  const functionContext = {
    collections,
    groups: [parsed.data.auth.adminGroup, ...parsed.data.auth.groups],
    kindOf: scalarKind,
  };
  for (const [name, input] of Object.entries(parsed.data.functions)) {
    functions[name] = resolveFunction(name, input, functionContext, problems);
  }
  if (problems.length > 0) throw new BackendConfigError(problems);
  return { ...parsed.data, collections, functions, definition };
}

function resolveCollection(name: string, input: z.output<typeof collectionSchema>, problems: string[]): ResolvedCollection {
  const at = `collections.${name}`;
  if (!COLLECTION_NAME.test(name)) {
    problems.push(`${at}: collection names are lower-case letters, digits and "-", starting with a letter`);
  }
  const fieldNames = Object.keys(input.fields);
  const known = `declared fields: ${fieldNames.join(', ') || '(none)'}`;
  for (const field of fieldNames) {
    if ((RESERVED_FIELDS as readonly string[]).includes(field)) {
      problems.push(`${at}.fields.${field}: "${field}" is set by the server; rename the field`);
    } else if (!FIELD_NAME.test(field)) {
      problems.push(`${at}.fields.${field}: field names are letters, digits and "_", starting with a letter`);
    }
  }
  const indexes: ResolvedIndex[] = [];
  const geoIndexes: ResolvedGeoIndex[] = [];
  const scalarField = (field: string) => fieldNames.includes(field) && ['string', 'number'].includes(scalarKind(input.fields[field]!));
  Object.entries(input.indexes ?? {}).forEach(([indexName, index], i) => {
    const indexAt = `${at}.indexes.${indexName}`;
    if ('geo' in index) {
      if (!fieldNames.includes(index.geo)) {
        problems.push(`${indexAt}.geo: "${index.geo}" is not a field of ${name}; declare it as ${index.geo}: point() or use one of the ${known}`);
      } else if (!isPointSchema(input.fields[index.geo]!)) {
        problems.push(`${indexAt}.geo: "${index.geo}" is not a point field; declare it as ${index.geo}: point() (import { point } from lambase's defineBackend)`);
      }
      if (index.partition !== undefined && !scalarField(index.partition)) {
        problems.push(`${indexAt}.partition: "${index.partition}" must be a string or number field of ${name} to partition a geo index (${known})`);
      }
      geoIndexes.push({ name: indexName, field: index.geo, partition: index.partition, slot: i + 1 });
      return;
    }
    if (!fieldNames.includes(index.partition)) {
      problems.push(`${indexAt}.partition: "${index.partition}" is not a field of ${name}; declare it in ${at}.fields or use one of the ${known}`);
    } else if (!scalarField(index.partition)) {
      problems.push(`${indexAt}.partition: "${index.partition}" must be a string or number field to be an index key`);
    }
    const sort = index.sort ?? 'createdAt';
    if (!fieldNames.includes(sort) && !(SORTABLE_RESERVED as readonly string[]).includes(sort)) {
      problems.push(`${indexAt}.sort: "${sort}" is not a field of ${name}; use createdAt, updatedAt or one of the ${known}`);
    } else if (fieldNames.includes(sort) && !scalarField(sort)) {
      problems.push(`${indexAt}.sort: "${sort}" must be a string or number field to sort on`);
    }
    indexes.push({ name: indexName, partition: index.partition, sort, slot: i + 1 });
  });
  const geofences = resolveGeofences(at, input, problems);
  if (indexes.length + geoIndexes.length > MAX_INDEXES_PER_COLLECTION) {
    problems.push(`${at}.indexes: at most ${MAX_INDEXES_PER_COLLECTION} indexes per collection`);
  }
  if (input.ttl !== undefined) {
    const ttlSchema = input.fields[input.ttl];
    if (!ttlSchema) {
      problems.push(`${at}.ttl: "${input.ttl}" is not a field of ${name}; declare it, e.g. ${input.ttl}: z.iso.datetime()`);
    } else if (!isIsoDateTime(ttlSchema)) {
      problems.push(`${at}.ttl: "${input.ttl}" must be an ISO date-time field: z.iso.datetime()`);
    }
  }
  const access = Object.fromEntries(
    ACTIONS.map((action) => [action, (input.access?.[action] as AccessRule[] | undefined) ?? ['owner']]),
  ) as Record<Action, AccessRule[]>;
  return { name, fields: input.fields, access, indexes, geoIndexes, ttl: input.ttl, geofences };
}

function resolveGeofences(at: string, input: z.output<typeof collectionSchema>, problems: string[]): ResolvedGeofences | undefined {
  const fences = input.geofences;
  if (!fences) return undefined;
  const required = (field: string, what: string, is: (schema: z.ZodType) => boolean, declare: string) => {
    const schema = input.fields[field];
    if (!schema) problems.push(`${at}.geofences: "${field}" is not a field; declare ${field}: ${declare}`);
    else if (!is(schema)) problems.push(`${at}.geofences: "${field}" must be ${what}: ${field}: ${declare}`);
    else if (schema.safeParse(undefined).success) problems.push(`${at}.geofences: "${field}" must be required (a fence needs its shape); remove .optional()`);
  };
  if ('polygon' in fences) {
    required(fences.polygon, 'a polygon field', isPolygonSchema, 'polygon()');
    return { kind: 'polygon', polygon: fences.polygon };
  }
  required(fences.center, 'a point field', isPointSchema, 'point()');
  required(fences.radius, 'a number field (meters)', (schema) => scalarKind(schema) === 'number', 'z.number().min(10).max(50_000)');
  return { kind: 'circle', center: fences.center, radius: fences.radius };
}

/** The JSON kind a field holds once optional/default/nullable wrappers are taken off. */
export function scalarKind(schema: $ZodType): string {
  const type = unwrap(schema)._zod.def.type;
  return type === 'enum' || type === 'literal' ? 'string' : type;
}

/** A point field: an object of exactly two numbers, `lat` and `lng` (what `point()` makes). */
export function isPointSchema(schema: $ZodType): boolean {
  const def = unwrap(schema)._zod.def as { type: string; shape?: Record<string, z.core.$ZodType> };
  if (def.type !== 'object' || !def.shape) return false;
  const keys = Object.keys(def.shape).sort();
  return keys.join(',') === 'lat,lng' && keys.every((key) => unwrap(def.shape![key]!)._zod.def.type === 'number');
}

/** A polygon field: an array of `[number, number]` tuples (what `polygon()` makes). */
export function isPolygonSchema(schema: $ZodType): boolean {
  const def = unwrap(schema)._zod.def as { type: string; element?: z.core.$ZodType };
  if (def.type !== 'array' || !def.element) return false;
  const tuple = unwrap(def.element)._zod.def as { type: string; items?: z.core.$ZodType[] };
  return tuple.type === 'tuple' && tuple.items?.length === 2 && tuple.items.every((item) => unwrap(item)._zod.def.type === 'number');
}

function isIsoDateTime(schema: $ZodType): boolean {
  return (unwrap(schema)._zod.def as { format?: string }).format === 'datetime';
}

/** The schema under optional/default/nullable wrappers and pipes. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else return current;
  }
}

function formatPath(path: PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}
