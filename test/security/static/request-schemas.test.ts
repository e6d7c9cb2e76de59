/**
 * Every request schema of the contract (each operation's params, query and body, and each
 * collection's own create / replace / patch schemas), under fast-check's arbitrary and adversarial
 * input: parsing never throws (a throw would be a 500); a refusal becomes the contract's 400 with
 * a bounded message that names paths, not payloads; what is accepted is plain JSON data, sets no
 * server field, keeps every key inside DynamoDB's size limits, and pollutes no prototype.
 */
import fc from 'fast-check';
import { afterAll, describe, expect } from 'vitest';
import { z } from 'zod';
import backend from '../../../lambase.config.js';
import { collectionOperations } from '../../../functions/contract/data.js';
import { operations } from '../../../functions/contract/index.js';
import type { Operation } from '../../../functions/contract/operation.js';
import { schemasOf } from '../../../functions/core/documents/document-schemas.js';
import { ApiError } from '../../../functions/core/errors.js';
import { validationErrorFrom } from '../../../functions/core/validation.js';
import { testIn } from '../harness/security-test.js';

const it = testIn('hostile-input');
const RUNS = Number(process.env.LAMBASE_SECURITY_SCHEMA_RUNS ?? 300);

/** DynamoDB: a partition key value is at most 2048 bytes, a sort key value 1024. */
const KEY_BYTES = 1024;
const SERVER_FIELDS = ['id', 'owner', 'createdAt', 'updatedAt', 'version'];

const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', ...SERVER_FIELDS);

/** JSON as a request carries it, biased towards what breaks parsers and validators. */
const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 2 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.integer({ min: 1025, max: 70_000 }).map((length) => 'x'.repeat(length)),
    fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -0, 5e-324, 0, -1, 1.5, '', ' ', '\u0000', '\uD800', '1e999', 'NaN', null, true, false),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileKey, fc.string({ maxLength: 12 })), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** A valid input with one value swapped for a hostile one (so checks deeper than the first field run). */
function nearlyValid(sample: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(sample);
  if (keys.length === 0) return hostileJson;
  return fc.record({ key: fc.oneof(fc.constantFrom(...keys), hostileKey), value: hostileJson }).map(({ key, value }) => {
    const copy: Record<string, unknown> = { ...sample };
    Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
    return copy;
  });
}

/** As the body parser hands it over, through JSON.parse: `__proto__` is an own key there. */
const viaJson = (value: unknown) => JSON.parse(JSON.stringify(value) ?? 'null') as unknown;
const parsedJson = hostileJson.map(viaJson);

/** Data JSON can carry as it is: finite numbers, strings, booleans, null, arrays and plain objects. */
function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value === 'object') return Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(isPlainJson);
  return false;
}

type Checked = { operation: string; part: 'params' | 'query' | 'body'; schema: z.core.$ZodType; sample: Record<string, unknown>; keyParts?: string[] };

/** Each operation's schemas, the generic ones and each collection's, with a valid sample where one is easy to say. */
const checked: Checked[] = [...operations, ...collectionOperations(backend)].flatMap((operation: Operation) =>
  (['params', 'query', 'body'] as const).flatMap((part) => {
    const schema = operation[part];
    if (!schema) return [];
    // Path parameters end up in table keys.
    return [{ operation: `${operation.method} ${operation.path}`, part, schema, sample: {}, keyParts: part === 'params' ? Object.keys((schema._zod.def as { shape?: Record<string, unknown> }).shape ?? {}) : undefined }];
  }),
);

afterAll(() => {
  // No run may have left anything on Object.prototype.
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as Record<string, unknown>).admin).toBeUndefined();
});

describe.each(checked.map((entry) => [`${entry.operation} ${entry.part}`, entry] as const))('%s', (_name, entry) => {
  it('never throws, refuses in the contract\'s words, and accepts only plain, storable data', ({ tally }) => {
    fc.assert(
      fc.property(fc.oneof(parsedJson, nearlyValid(entry.sample).map(viaJson)), (input) => {
        tally.check();
        const result = z.safeParse(entry.schema, input);
        if (!result.success) {
          const error = validationErrorFrom(result.error, entry.part === 'body' ? undefined : entry.part);
          expect(error).toBeInstanceOf(ApiError);
          expect(error.status).toBe(400);
          expect(error.code).toBe('ValidationFailed');
          // The message names fields; it does not echo a payload back (logs, error pages).
          expect(error.message.length).toBeLessThanOrEqual(1_000);
          for (const detail of error.details ?? []) expect(typeof detail.message).toBe('string');
          return;
        }
        const data = result.data as unknown;
        expect(isPlainJson(data), 'accepted data is plain JSON').toBe(true);
        if (entry.part === 'body' && data && typeof data === 'object' && !Array.isArray(data)) {
          expect(Object.getPrototypeOf(data), 'no prototype swapped through __proto__').toBe(Object.prototype);
        }
        for (const key of entry.keyParts ?? []) {
          const value = (data as Record<string, unknown>)[key];
          if (typeof value === 'string') expect(Buffer.byteLength(value), `${key} fits in a table key`).toBeLessThanOrEqual(KEY_BYTES);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe.each(Object.values(backend.collections).map((collection) => [collection.name, collection] as const))('the %s collection\'s own schemas', (_name, collection) => {
  const { full, patch } = schemasOf(collection);
  it.for([['create and replace', full], ['patch', patch]] as const)('%s never accept a server field, a prototype key, or a value DynamoDB cannot store', ([, schema], { tally }) => {
    fc.assert(
      fc.property(fc.oneof(parsedJson, nearlyValid({ title: 'x' }).map(viaJson)), (input) => {
        tally.check();
        const result = z.safeParse(schema, input);
        if (!result.success) return;
        const data = result.data as Record<string, unknown>;
        for (const field of SERVER_FIELDS) expect(Object.hasOwn(data, field), field).toBe(false);
        for (const field of ['__proto__', 'constructor', 'prototype']) expect(Object.hasOwn(data, field), field).toBe(false);
        expect(isPlainJson(data), 'plain JSON (no NaN, Infinity or undefined)').toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
