/**
 * A valid document for any collection of the config, from the JSON Schema of its zod fields, so a
 * collection added to lambase.config.ts enters the matrix with no test change. A collection whose
 * schema this cannot satisfy (a regex, a refinement) gets its sample in SAMPLE_OVERRIDES.
 */
import { z } from 'zod';
import type { ResolvedCollection } from '../../../functions/core/config/define-backend.js';

type JsonSchema = {
  type?: string | string[];
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
};

/** Fields for collections the generator cannot satisfy on its own. */
const SAMPLE_OVERRIDES: Record<string, Record<string, unknown>> = {};

/** Every field of `collection` with a valid value (optional ones included); `tag` marks its strings. */
export function sampleFields(collection: ResolvedCollection, tag: string): Record<string, unknown> {
  const fields = SAMPLE_OVERRIDES[collection.name] ?? Object.fromEntries(
    Object.entries(collection.fields).map(([name, schema]) => [name, sampleValue(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema, tag)]),
  );
  const checked = z.strictObject(collection.fields).safeParse(fields);
  if (!checked.success) {
    throw new Error(
      `No valid sample document for collection "${collection.name}" (${checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}): ` +
        'add one to SAMPLE_OVERRIDES in test/security/scenarios/sample-documents.ts.',
    );
  }
  return fields;
}

function sampleValue(schema: JsonSchema, tag: string): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const choice = schema.anyOf ?? schema.oneOf;
  if (choice?.length) return sampleValue(choice.find((option) => option.type !== 'null') ?? choice[0]!, tag);
  const type = Array.isArray(schema.type) ? schema.type.find((candidate) => candidate !== 'null') : schema.type;
  switch (type) {
    case 'string': {
      // A time in the future: a TTL field in the past would hide the document.
      if (schema.format === 'date-time') return new Date(Date.now() + 24 * 3600_000).toISOString();
      if (schema.format === 'email') return `${tag}@example.com`;
      const text = `${tag}`.padEnd(schema.minLength ?? 1, 'x');
      return text.slice(0, schema.maxLength ?? text.length);
    }
    case 'boolean':
      return true;
    case 'number':
    case 'integer': {
      const low = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : undefined);
      const high = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : undefined);
      if (low !== undefined && high !== undefined) return type === 'integer' ? Math.ceil((low + high) / 2) : (low + high) / 2;
      return low ?? (high !== undefined ? Math.min(high, 1) : 1);
    }
    case 'array':
      return Array.from({ length: Math.max(schema.minItems ?? 0, 1) }, () => sampleValue(schema.items ?? { type: 'string' }, tag));
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, inner]) => [name, sampleValue(inner, tag)]));
    default:
      return schema.default ?? tag;
  }
}
