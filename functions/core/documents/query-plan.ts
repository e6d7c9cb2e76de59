/**
 * Query planning: which single Query (index, partition, sort condition, filters) serves a
 * request, or why none does. The service never scans: a query is served either by a declared
 * index (equality on its partition field, an optional condition and the order on its sort field),
 * or within one owner's documents (any field may be filtered there), or — with no condition at
 * all — by the collection's own newest-first index.
 */
import { NOTHING_READABLE, queryReadDecision, type Caller } from '../config/access-rules.js';
import type { ResolvedCollection, ResolvedIndex } from '../config/define-backend.js';
import { UnsupportedQueryError, ValidationError } from '../errors.js';
import { FIXED_INDEXES, indexSlot } from '../table-design.js';
import * as z from '../zod.js';
import { geoConditionSchema } from '../geo/geo-query.js';
import { encodeKeyValue, indexPartition, ownerPartition } from './document-item.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const operatorCondition = z.union([
  z.strictObject({ eq: scalar }),
  z.strictObject({ lt: scalar }),
  z.strictObject({ lte: scalar }),
  z.strictObject({ gt: scalar }),
  z.strictObject({ gte: scalar }),
  z.strictObject({ between: z.tuple([scalar, scalar]) }),
  z.strictObject({ beginsWith: z.string() }),
]);

/** The body of `POST /data/{collection}/query` (limit and cursor are paging, handled apart). */
export const queryInputSchema = z.strictObject({
  where: z.optional(z.record(z.string(), z.union([scalar, operatorCondition, geoConditionSchema]))),
  orderBy: z.optional(z.string()),
  order: z.optional(z.enum(['asc', 'desc'])),
});
export type QueryInput = z.infer<typeof queryInputSchema>;

export type Operator = 'eq' | 'lt' | 'lte' | 'gt' | 'gte' | 'between' | 'beginsWith';
export type Scalar = string | number | boolean;
export type Condition = { op: Operator; value: Scalar | [Scalar, Scalar] };

export type QueryPlan = {
  index: string;
  partition: { attribute: string; value: string };
  /** The index's sort attribute (part of every position a page resumes from). */
  sortAttribute: string;
  /** A condition on the index's sort attribute (values already encoded). */
  sort?: { attribute: string; condition: Condition };
  /** Conditions checked on each item (attribute paths into the stored item). */
  filters: { path: string[]; condition: Condition }[];
  ascending: boolean;
  /** Expired documents (the collection has a TTL field) are filtered out. */
  ttl: boolean;
};

export function planQuery(
  collection: ResolvedCollection,
  input: QueryInput,
  caller: Caller | undefined,
  adminGroup: string,
): QueryPlan | typeof NOTHING_READABLE {
  const decision = queryReadDecision(collection.access.read, caller, adminGroup);
  if (decision === NOTHING_READABLE) return decision;
  const where = new Map(Object.entries(input.where ?? {}).map(([field, value]) => [field, toCondition(field, value)]));
  for (const field of where.keys()) assertQueryable(collection, field);
  const ascending = input.order === 'asc';
  const ttl = collection.ttl !== undefined;

  const ownerCondition = where.get('owner');
  if (ownerCondition && ownerCondition.op !== 'eq') {
    throw new UnsupportedQueryError('owner can only be compared with equality (where: { owner: "<userId>" }).');
  }
  // docs/api/documents.md: a query is scoped to the caller's own documents when the read rule is `owner` alone —
  // for admins too, who may still name any owner. (An admin's plain list shows every document.)
  const ownerAlone = collection.access.read.length === 1 && collection.access.read[0] === 'owner';
  const scopeToCaller = decision === 'owner-only' || (ownerAlone && caller !== undefined && (where.size > 0 || input.orderBy !== undefined));
  const owner = ownerCondition ? String(ownerCondition.value) : scopeToCaller ? caller!.userId : undefined;
  if (owner !== undefined) {
    if (decision === 'owner-only' && owner !== caller!.userId) return NOTHING_READABLE;
    where.delete('owner');
    return planOwnerScope(collection, owner, where, input.orderBy, ascending, ttl);
  }
  if (where.size === 0) {
    if (input.orderBy !== undefined && input.orderBy !== 'createdAt') throw unsupported(collection, `orderBy ${input.orderBy}`);
    const index = FIXED_INDEXES.byCollection;
    return {
      index: index.name,
      partition: { attribute: index.partition, value: collection.name },
      sortAttribute: index.sort,
      filters: [],
      ascending,
      ttl,
    };
  }
  for (const index of collection.indexes) {
    const plan = planIndex(collection, index, where, input.orderBy, ascending, ttl);
    if (plan) return plan;
  }
  throw unsupported(collection, `where on ${[...where.keys()].join(', ')}${input.orderBy ? ` ordered by ${input.orderBy}` : ''}`);
}

function planOwnerScope(
  collection: ResolvedCollection,
  owner: string,
  where: Map<string, Condition>,
  orderBy: string | undefined,
  ascending: boolean,
  ttl: boolean,
): QueryPlan {
  const sortField = orderBy ?? 'createdAt';
  if (sortField !== 'createdAt' && sortField !== 'updatedAt') {
    throw unsupported(collection, `orderBy ${sortField} (within one owner's documents, orderBy is createdAt or updatedAt)`);
  }
  const index = sortField === 'createdAt' ? FIXED_INDEXES.byOwnerCreated : FIXED_INDEXES.byOwnerUpdated;
  const sortCondition = where.get(sortField);
  where.delete(sortField);
  const partition = ownerPartition(collection.name, owner);
  assertKeySizes({ field: 'owner', value: partition }, sortCondition && { field: sortField, condition: sortCondition });
  return {
    index: index.name,
    partition: { attribute: index.partition, value: partition },
    sortAttribute: index.sort,
    ...(sortCondition ? { sort: { attribute: index.sort, condition: sortCondition } } : {}),
    filters: [...where].map(([field, condition]) => ({ path: attributePath(field), condition })),
    ascending,
    ttl,
  };
}

function planIndex(
  collection: ResolvedCollection,
  index: ResolvedIndex,
  where: Map<string, Condition>,
  orderBy: string | undefined,
  ascending: boolean,
  ttl: boolean,
): QueryPlan | undefined {
  const partition = where.get(index.partition);
  if (!partition || partition.op !== 'eq') return undefined;
  const others = [...where.keys()].filter((field) => field !== index.partition);
  if (others.some((field) => field !== index.sort)) return undefined;
  if (orderBy !== undefined && orderBy !== index.sort) return undefined;
  const slot = indexSlot(index.slot);
  const sortCondition = where.get(index.sort);
  const partitionValue = indexPartition(collection.name, index, partition.value);
  const sort = sortCondition && index.sort !== index.partition ? encodeCondition(sortCondition) : undefined;
  assertKeySizes({ field: index.partition, value: partitionValue }, sort && { field: index.sort, condition: sort });
  return {
    index: slot.name,
    partition: { attribute: slot.partition, value: partitionValue },
    sortAttribute: slot.sort,
    ...(sort ? { sort: { attribute: slot.sort, condition: sort } } : {}),
    filters: [],
    ascending,
    ttl,
  };
}

const TIMESTAMP_FIELDS = new Set(['createdAt', 'updatedAt']);

/** A `where` entry as a condition, refusing (400) what DynamoDB would refuse with a 500. */
function toCondition(field: string, value: z.infer<typeof queryInputSchema>['where'] extends Record<string, infer V> | undefined ? V : never): Condition {
  const [op, operand] = typeof value === 'object' ? (Object.entries(value)[0] as [Operator, Scalar | [Scalar, Scalar]]) : (['eq', value] as const);
  const invalid = (message: string) => new ValidationError(`where.${field}: ${message}`, { details: [{ path: `where.${field}`, message }] });
  const operands = Array.isArray(operand) ? operand : [operand];
  if (op !== 'eq' && operands.some((each) => typeof each === 'boolean')) throw invalid(`${op} compares strings or numbers, not booleans`);
  if (TIMESTAMP_FIELDS.has(field) && operands.some((each) => typeof each !== 'string')) throw invalid('compare timestamps with ISO-8601 strings');
  if (op === 'between') {
    const [low, high] = operand as [Scalar, Scalar];
    if (typeof low !== typeof high) throw invalid('both bounds of between must be of the same type');
    if (encodeKeyValue(low) > encodeKeyValue(high)) throw invalid('between needs the lower bound first');
  }
  return { op, value: operand };
}

function encodeCondition(condition: Condition): Condition {
  const value = Array.isArray(condition.value)
    ? ([encodeKeyValue(condition.value[0]), encodeKeyValue(condition.value[1])] as [string, string])
    : condition.op === 'beginsWith'
      ? String(condition.value)
      : encodeKeyValue(condition.value);
  return { op: condition.op, value };
}

/** DynamoDB's limits on the key values of a Query: 2048 bytes of partition key, 1024 of sort key (all its values together). */
const MAX_PARTITION_KEY_BYTES = 2048;
const MAX_SORT_KEY_BYTES = 1024;

/**
 * Refuses (400) key conditions DynamoDB would refuse with a 500. Nothing stored can match them
 * anyway: no item has a key that long.
 */
function assertKeySizes(partition: { field: string; value: string }, sort: { field: string; condition: Condition } | undefined): void {
  const tooLong = (field: string, limit: number) =>
    new ValidationError(`where.${field}: the value is too long to be a key (a key is at most ${limit} bytes).`, {
      details: [{ path: `where.${field}`, message: 'Too long to be a key' }],
    });
  if (Buffer.byteLength(partition.value) > MAX_PARTITION_KEY_BYTES) throw tooLong(partition.field, MAX_PARTITION_KEY_BYTES);
  if (!sort) return;
  const values = Array.isArray(sort.condition.value) ? sort.condition.value : [sort.condition.value];
  const bytes = values.reduce<number>((total, value) => total + Buffer.byteLength(String(value)), 0);
  if (bytes > MAX_SORT_KEY_BYTES) throw tooLong(sort.field, MAX_SORT_KEY_BYTES);
}

const SERVER_FIELDS = new Set(['id', 'owner', 'createdAt', 'updatedAt', 'version']);

/** 400 unless `field` is one of the collection's fields or a server-set one (realtime `where` checks the same). */
export function assertQueryable(collection: ResolvedCollection, field: string): void {
  if (!SERVER_FIELDS.has(field) && !(field in collection.fields)) {
    throw new ValidationError(`where.${field}: ${collection.name} has no field "${field}".`, {
      details: [{ path: `where.${field}`, message: 'Unknown field' }],
    });
  }
}

/** Where a field lives in the stored item: server fields at the top, the user's under `data`. */
function attributePath(field: string): string[] {
  return SERVER_FIELDS.has(field) ? [field] : ['data', field];
}

function unsupported(collection: ResolvedCollection, what: string): UnsupportedQueryError {
  const indexes = collection.indexes.map((index) => `${index.name} (partition ${index.partition}, sort ${index.sort})`);
  return new UnsupportedQueryError(
    `No index of ${collection.name} serves ${what}. ` +
      (indexes.length ? `Declared indexes: ${indexes.join('; ')}.` : `${collection.name} declares no indexes.`) +
      ' Queries within your own documents (where: { owner: "<your userId>" }) may filter any field.',
  );
}
