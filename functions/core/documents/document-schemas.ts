/**
 * A collection's schemas, compiled once per cold start from lambase.config.ts: the full document
 * (create and replace), the patch (every field optional, `null` removes an optional field) and the
 * rules for the server-set fields. Validation failures name the field.
 */
import { RESERVED_FIELDS } from '../config/collection-rules.js';
import type { ResolvedCollection } from '../config/define-backend.js';
import { ValidationError } from '../errors.js';
import { parseOrThrow } from '../validation.js';
import * as z from '../zod.js';

export type DocumentFields = Record<string, unknown>;

export type CollectionSchemas = {
  /** Validates (and fills defaults of) a whole document's fields. */
  full: z.Schema<DocumentFields>;
  /** Validates a patch: known fields only, `null` allowed on optional ones. */
  patch: z.Schema<DocumentFields>;
  optionalFields: ReadonlySet<string>;
};

const compiled = new WeakMap<ResolvedCollection, CollectionSchemas>();

export function schemasOf(collection: ResolvedCollection): CollectionSchemas {
  let schemas = compiled.get(collection);
  if (!schemas) {
    const optionalFields = new Set(
      Object.entries(collection.fields)
        .filter(([, schema]) => z.safeParse(schema, undefined).success)
        .map(([name]) => name),
    );
    schemas = {
      full: z.strictObject(collection.fields) as unknown as z.Schema<DocumentFields>,
      patch: z.strictObject(
        Object.fromEntries(
          Object.entries(collection.fields).map(([name, schema]) => [
            name,
            z.optional(optionalFields.has(name) ? z.union([z.null(), schema]) : unwrapDefault(schema)),
          ]),
        ),
      ) as unknown as z.Schema<DocumentFields>,
      optionalFields,
    };
    compiled.set(collection, schemas);
  }
  return schemas;
}

/** A patch must not fill a default in for a field it does not mention. */
function unwrapDefault(schema: z.Schema): z.Schema {
  const def = schema._zod.def as { type: string; innerType?: z.Schema };
  return def.type === 'default' && def.innerType ? def.innerType : schema;
}

/** Refuses a body that is not an object, or that sets a server-set field. */
export function assertClientFields(body: unknown, prefix?: string): asserts body is DocumentFields {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('The body must be a JSON object of the document\'s fields.');
  }
  const reserved = RESERVED_FIELDS.filter((field) => field in body);
  if (reserved.length > 0) {
    throw new ValidationError(`${reserved.join(', ')} ${reserved.length > 1 ? 'are' : 'is'} set by the server and cannot be sent.`, {
      details: reserved.map((field) => ({ path: prefix ? `${prefix}.${field}` : field, message: 'Set by the server' })),
    });
  }
}

/** Parses with `schema`, turning failures into a ValidationError naming each field. */
export function parseFields(schema: z.Schema<DocumentFields>, input: unknown, prefix?: string): DocumentFields {
  return parseOrThrow(schema, input, prefix);
}
