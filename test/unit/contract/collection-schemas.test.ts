/**
 * The OpenAPI document and the server agree on every collection's bodies: for each collection of
 * the shipped lambase.config.ts and for create (POST), replace (PUT) and patch (PATCH), a body
 * the published schema accepts is one the server accepts, and the other way round.
 *
 * The published side is the request-body schema of the served document (`GET /openapi.json`),
 * judged by a JSON Schema 2020-12 validator (ajv) as a client's validator would judge it. The
 * server side is the operation's own body check followed by the document service, exactly as a
 * handler runs them (the store is in memory). Bodies come from fast-check: every field with values
 * at and around each limit the schema states, of the wrong type, `null`, missing, plus unknown and
 * server-set fields and non-object bodies.
 *
 * Strings are drawn from the Basic Multilingual Plane: JSON Schema measures `minLength` and
 * `maxLength` in code points and zod in UTF-16 units, so for characters beyond it (most emoji)
 * the server is the stricter of the two.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import backend from '../../../lambase.config.js';
import { createDocumentOperation, replaceDocumentOperation, updateDocumentOperation } from '../../../functions/contract/data.js';
import { buildOpenApiDocument } from '../../../functions/contract/openapi.js';
import { systemClock } from '../../../functions/core/clock.js';
import type { DocumentItem } from '../../../functions/core/documents/document-item.js';
import { DocumentService } from '../../../functions/core/documents/document-service.js';
import type { DocumentStore } from '../../../functions/core/documents/document-store.js';
import { ValidationError } from '../../../functions/core/errors.js';
import { pageCursors } from '../../../functions/core/pagination/cursor.js';
import { documentedOperations } from '../../../functions/system/get-openapi.js';

type JsonSchema = {
  type?: string;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  enum?: unknown[];
  const?: unknown;
};
type Kind = 'create' | 'replace' | 'patch';

const openApi = buildOpenApiDocument(documentedOperations, { title: 'Lambase', version: '1' }) as {
  paths: Record<string, Record<string, { requestBody?: { content: { 'application/json': { schema: JsonSchema } } } }>>;
};
const ajv = new Ajv2020({ strict: true, allErrors: false });
addFormats.default(ajv);

/** The request-body schema the OpenAPI document publishes for `kind` on `collection`. */
function publishedSchema(collection: string, kind: Kind): JsonSchema {
  const [path, method] = kind === 'create' ? [`/data/${collection}`, 'post'] : [`/data/${collection}/{id}`, kind === 'replace' ? 'put' : 'patch'];
  const schema = openApi.paths[path]?.[method]?.requestBody?.content['application/json'].schema;
  if (!schema) throw new Error(`The OpenAPI document has no ${method.toUpperCase()} ${path} body.`);
  return schema;
}

const owner = { userId: 'owner-1', groups: [] };
const OPERATIONS = { create: createDocumentOperation, replace: replaceDocumentOperation, patch: updateDocumentOperation } as const;

/** Whether the server takes `body`: the operation's body schema, then the document service. */
async function serverAccepts(collection: string, kind: Kind, body: unknown, existing: Record<string, unknown>): Promise<boolean> {
  if (OPERATIONS[kind].body?.safeParse(body).success !== true) return false;
  const service = new DocumentService({
    backend,
    store: memoryStore(),
    cursors: pageCursors(async () => Buffer.alloc(32)),
    clock: systemClock,
    newId: () => 'doc-1',
  });
  try {
    if (kind === 'create') {
      await service.create(owner, collection, body);
    } else {
      const document = await service.create(owner, collection, existing);
      if (kind === 'replace') await service.replace(owner, collection, document.id, body, undefined);
      else await service.update(owner, collection, document.id, body, undefined);
    }
    return true;
  } catch (error) {
    if (error instanceof ValidationError) return false;
    throw error;
  }
}

function memoryStore(): DocumentStore {
  const items = new Map<string, DocumentItem>();
  const key = (collection: string, id: string) => `${collection}/${id}`;
  const unused = () => Promise.reject(new Error('not used by create, replace and update'));
  return {
    get: async (collection, id) => items.get(key(collection, id)),
    create: async (item) => !items.has(key(item.collection, item.id)) && Boolean(items.set(key(item.collection, item.id), item)),
    replace: async (item, expectedVersion) => {
      if (items.get(key(item.collection, item.id))?.version !== expectedVersion) return 'version-mismatch';
      items.set(key(item.collection, item.id), item);
      return 'ok';
    },
    remove: unused,
    query: unused,
    readGeoCells: unused,
    transact: unused,
    listByOwner: unused,
    countByOwner: unused,
    deleteMany: unused,
  };
}

// --- bodies ----------------------------------------------------------------------------------

const bmpChar = fc.oneof(fc.constantFrom('a', 'Z', '7', ' ', '-'), fc.integer({ min: 0x20, max: 0xd7ff }).map((code) => String.fromCharCode(code)));
const wrongType = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 5 }),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 2 }),
);
const validDateTime = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString());
const nearlyDateTime = fc.constantFrom(
  '2024-02-29T12:00:00Z',
  '2030-01-01T00:00:00Z',
  '2023-02-29T12:00:00Z',
  '2030-01-01T00:00:00+02:00',
  '2030-01-01 00:00:00Z',
  '2030-01-01',
  '2030-01-01T24:00:00Z',
  '2030-01-01T23:59:60Z',
);

/**
 * Mostly values `schema` allows (so that both answers are often "yes"), and values at and just
 * past each limit it states, `null`, and values of other types.
 */
function valuesFor(schema: JsonSchema): fc.Arbitrary<unknown> {
  const weighted = (allowed: fc.Arbitrary<unknown>, edges: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: 6, arbitrary: allowed }, { weight: 2, arbitrary: edges }, { weight: 1, arbitrary: wrongType });
  const near = (low: number | undefined, high: number | undefined) =>
    fc.constantFrom(...new Set([0, 1, ...[low, high].flatMap((limit) => (limit === undefined ? [] : [limit - 1, limit, limit + 1]))].filter((n) => n >= 0)));
  if (schema.anyOf) {
    return fc.oneof(...schema.anyOf.map((branch) => ({ weight: branch.type === 'null' ? 1 : 4, arbitrary: valuesFor(branch) })));
  }
  switch (schema.type) {
    case 'string': {
      if (schema.format === 'date-time') return weighted(validDateTime, nearlyDateTime);
      const low = schema.minLength ?? 0;
      return weighted(
        fc.string({ unit: bmpChar, minLength: low, maxLength: Math.max(low, Math.min(schema.maxLength ?? 30, 30)) }),
        fc.tuple(near(schema.minLength, schema.maxLength), bmpChar).map(([length, char]) => char.repeat(length)),
      );
    }
    case 'boolean':
      return weighted(fc.boolean(), fc.constantFrom('true', 0, 1));
    case 'array': {
      const items = valuesFor(schema.items ?? {});
      const low = schema.minItems ?? 0;
      return weighted(
        fc.array(items, { minLength: low, maxLength: Math.max(low, Math.min(schema.maxItems ?? 5, 5)) }),
        fc.tuple(near(schema.minItems, schema.maxItems), fc.array(items, { minLength: 1, maxLength: 3 })).map(([length, pool]) =>
          Array.from({ length }, (_, index) => pool[index % pool.length]),
        ),
      );
    }
    case 'null':
      return fc.constant(null);
    default:
      return wrongType;
  }
}

/** Objects of the collection's fields (each there more often than not), sometimes with a field it does not have. */
function bodiesFor(collection: string, kind: Kind): fc.Arbitrary<unknown> {
  const fields = publishedSchema(collection, kind).properties ?? {};
  const known = fc
    .tuple(...Object.entries(fields).map(([name, schema]) => fc.option(valuesFor(schema).map((value) => [name, value] as const), { freq: 5 })))
    .map((entries) => Object.fromEntries(entries.filter((entry) => entry !== null)));
  const extra = fc.oneof(
    { weight: 6, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('id', 'owner', 'createdAt', 'updatedAt', 'version', 'unknownField'), wrongType) },
  );
  const objects = fc.tuple(known, extra).map(([body, field]) => (field ? { ...body, [field[0]]: field[1] } : body));
  return fc.oneof({ weight: 20, arbitrary: objects }, { weight: 1, arbitrary: fc.constantFrom(null, [], ['title'], 'title', 7) }).map(
    // Bodies travel as JSON.
    (body) => JSON.parse(JSON.stringify(body)) as unknown,
  );
}

/** The smallest body the published create schema accepts: each required field at its lower limit. */
function minimalBody(collection: string): Record<string, unknown> {
  const schema = publishedSchema(collection, 'create');
  const valueOf = (field: JsonSchema): unknown => {
    if (field.type === 'string') return field.format === 'date-time' ? '2030-01-01T00:00:00Z' : 'x'.repeat(Math.max(field.minLength ?? 0, 1));
    if (field.type === 'boolean') return true;
    if (field.type === 'array') return [];
    if (field.type === 'number') return field.minimum ?? 0;
    if (field.type === 'object') return Object.fromEntries(Object.entries(field.properties ?? {}).map(([name, inner]) => [name, valueOf(inner)]));
    throw new Error(`No example value for ${JSON.stringify(field)}: extend minimalBody.`);
  };
  return Object.fromEntries((schema.required ?? []).map((name) => [name, valueOf(schema.properties![name]!)]));
}

// --- the agreement ---------------------------------------------------------------------------

// Geofence collections also refuse a fence too large for one transaction at its latitude
// (functions/core/geo/fences.ts), a check no JSON Schema can state: test/integration/geo covers them.
const collections = Object.keys(backend.collections).filter((name) => !backend.collections[name]!.geofences);
const kinds: Kind[] = ['create', 'replace', 'patch'];

describe.each(collections)('the %s collection', (collection) => {
  const existing = minimalBody(collection);

  it.each(kinds)('%s: the published schema and the server accept exactly the same bodies', async (kind) => {
    const published = ajv.compile(publishedSchema(collection, kind));
    expect(await serverAccepts(collection, kind, existing, existing)).toBe(true);
    await fc.assert(
      fc.asyncProperty(bodiesFor(collection, kind), async (body) => {
        const valid = published(body);
        const accepted = await serverAccepts(collection, kind, body, existing);
        expect({ body, published: valid, server: accepted }).toEqual({ body, published: accepted, server: accepted });
      }),
      { numRuns: 300 },
    );
  });
});

describe('PATCH and null', () => {
  const patch = (collection: string) => ajv.compile(publishedSchema(collection, 'patch'));

  it('null removes an optional field, in the published schema and on the server alike', async () => {
    expect(patch('notes')({ body: null })).toBe(true);
    expect(await serverAccepts('notes', 'patch', { body: null }, minimalBody('notes'))).toBe(true);
  });

  it('null on a required field is refused by both', async () => {
    expect(patch('notes')({ title: null })).toBe(false);
    expect(await serverAccepts('notes', 'patch', { title: null }, minimalBody('notes'))).toBe(false);
    expect(patch('posts')({ published: null })).toBe(false);
    expect(await serverAccepts('posts', 'patch', { published: null }, minimalBody('posts'))).toBe(false);
  });
});
