/**
 * Requests built from the route table (lib/routes.ts) and the contract's operations, so every
 * route — those added later included, and the HTTP functions of the config the suite runs — is
 * reached the way a client reaches it.
 */
import { z } from 'zod';
import { documentSchema } from '../../../functions/contract/data.js';
import type { Operation } from '../../../functions/contract/operation.js';
import { allRoutes } from '../../../lib/routes.js';
import type { RouteDefinition } from '../../../lib/route-types.js';
import { worldBackend } from './security-backend.js';
import type { StorePart } from './store-snapshot.js';

/** Every HTTP route of the suite's local backend: the platform's and the config's functions'. */
export const routes: readonly RouteDefinition[] = allRoutes(worldBackend);
export type { RouteDefinition };

/** `/data/{collection}/{id}` with `{ collection: 'notes', id: 'x/y' }` → `/data/notes/x%2Fy`. */
export function pathOf(operation: Operation, params: Record<string, string> = {}, encode: (value: string) => string = encodeURIComponent): string {
  return operation.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${operation.operationId}: no value for {${name}}`);
    return encode(value);
  });
}

export function withQuery(path: string, query: Record<string, string> | undefined): string {
  return query && Object.keys(query).length ? `${path}?${new URLSearchParams(query)}` : path;
}

/** The names of an operation's path parameters, in order. */
export const pathParams = (operation: Operation) => [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);

/**
 * What a route's function could change, by its grants: the table, the users, the objects. IAM keeps
 * it from the rest in the cloud (test/security/static/deploy-checks.test.ts checks the grants), so
 * that is what a refused request is checked against.
 */
export function storePartsOf(route: RouteDefinition): StorePart[] {
  const parts = new Set<StorePart>();
  for (const grant of route.grants) {
    if (grant.kind === 'table' || grant.kind === 'cursorKey' || grant.kind === 'eventReceipts') parts.add('items');
    if (grant.kind === 'bucket') parts.add('objects');
    if (grant.kind === 'userPool' || grant.kind === 'userPoolClient') parts.add('users');
  }
  return [...parts];
}

/** Fields whose names carry privilege or identity, whatever the route. */
const PRIVILEGED_FIELDS = ['owner', 'ownerId', 'userId', 'groups', 'cognito:groups', 'role', 'admin'];

/**
 * The fields a client must never set through this route's body (mass assignment): the server-set
 * document fields, every field of the route's own answer that its body does not take (an answer's
 * `fileId`, `status`, `groups`, `enabled`…), and names that carry privilege.
 */
export function reservedFieldsOf(operation: Operation): string[] {
  const bodyFields = new Set(objectKeys(operation.body));
  const answerFields = Object.entries(operation.responses)
    .filter(([status]) => Number(status) < 300)
    .flatMap(([, spec]) => {
      const keys = objectKeys(spec.schema);
      // A page's fields are its items'.
      return keys.includes('items') ? objectKeys(itemSchemaOf(spec.schema)) : keys;
    });
  const fields = new Set([...Object.keys(documentSchema.shape), ...answerFields, ...PRIVILEGED_FIELDS]);
  return [...fields].filter((field) => !bodyFields.has(field)).sort();
}

/** A value a client might hope to smuggle in for `field`: another user's id for identity fields. */
export function smuggledValue(field: string, anotherUserId: string): unknown {
  if (['owner', 'ownerId', 'userId', 'sub'].includes(field)) return anotherUserId;
  if (field === 'groups' || field === 'cognito:groups') return ['admin'];
  if (field === 'version') return 99;
  if (field.endsWith('At')) return '2000-01-01T00:00:00.000Z';
  if (['enabled', 'emailVerified', 'confirmed', 'admin'].includes(field)) return true;
  if (field === 'status') return 'ready';
  if (field === 'role') return 'admin';
  return 'smuggled';
}

// The contract's schemas are zod/mini (functions/core/zod.ts): read by definition, not by class.
type Schema = z.core.$ZodType;
type Def = { type: string; shape?: Record<string, Schema>; element?: Schema; innerType?: Schema; in?: Schema; options?: Schema[]; schema?: Schema };
const defOf = (schema: Schema) => schema._zod.def as Def;

function objectKeys(schema: Schema | undefined): string[] {
  return Object.keys(unwrapObject(schema) ?? {});
}

/** The shape of the object `schema` is (under optional, default, pipe…), if it is one. */
function unwrapObject(schema: Schema | undefined): Record<string, Schema> | undefined {
  if (!schema) return undefined;
  const def = defOf(schema);
  if (def.type === 'object') return def.shape;
  const inner = def.innerType ?? def.in ?? def.schema;
  if (inner) return unwrapObject(inner);
  // A union (tokens or a challenge): its first object's fields.
  return def.options?.map(unwrapObject).find(Boolean);
}

function itemSchemaOf(schema: Schema | undefined): Schema | undefined {
  const items = unwrapObject(schema)?.items;
  return items && defOf(items).type === 'array' ? defOf(items).element : undefined;
}
