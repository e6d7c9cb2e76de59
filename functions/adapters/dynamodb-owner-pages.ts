/**
 * One owner's items of one kind on byOwnerCreated (`ownerKey = <kind>#<userId>`): a page of them,
 * newest first, as the push stores list them (a position is the last item's `createdAt` and its
 * table key, rebuilt by the store from the caller's own partition, so it can only move within it),
 * or how many there are.
 */
import { isExpired } from '../core/documents/document-item.js';
import type { OwnerPage } from '../core/pagination/owner-pages.js';
import { FIXED_INDEXES, TTL_ATTRIBUTE } from '../core/table-design.js';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { rethrowDynamoDbError } from './dynamodb-errors.js';
import { queryPage } from './dynamodb-paged-query.js';

type OwnerItem = { createdAt: string; ttl?: number };

export async function queryOwnerPage<Item extends OwnerItem, T>(
  client: DynamoDBDocumentClient,
  tableName: string,
  query: {
    ownerKey: string;
    limit: number;
    /** The table key of the item to resume after, and its `createdAt`. */
    after?: { key: Record<string, string>; createdAt: string };
    /** Leaves out items whose `ttl` has passed at this time (DynamoDB deletes them lazily). */
    liveAt?: Date;
    /** The item as the port shows it, and its id (the position's `id`). */
    toRecord: (item: Item) => T;
    idOf: (item: Item) => string;
  },
): Promise<OwnerPage<T>> {
  const index = FIXED_INDEXES.byOwnerCreated;
  const { liveAt } = query;
  // One more than asked: a page is followed by a cursor only when something really comes next.
  const { items } = await queryPage<Item>(client, {
    input: {
      TableName: tableName,
      IndexName: index.name,
      KeyConditionExpression: '#owner = :owner',
      ...(liveAt ? { FilterExpression: 'attribute_not_exists(#ttl) OR #ttl > :now' } : {}),
      ExpressionAttributeNames: { '#owner': index.partition, ...(liveAt ? { '#ttl': TTL_ATTRIBUTE } : {}) },
      ExpressionAttributeValues: { ':owner': query.ownerKey, ...(liveAt ? { ':now': Math.floor(liveAt.getTime() / 1000) } : {}) },
      ScanIndexForward: false,
    },
    wanted: query.limit + 1,
    startKey: query.after ? { ...query.after.key, [index.partition]: query.ownerKey, [index.sort]: query.after.createdAt } : undefined,
    // The filter keeps pages small on the wire; this also covers an item that expired between
    // DynamoDB's evaluation and ours.
    keep: liveAt ? (item) => !isExpired(item, liveAt) : undefined,
  });
  const shown = items.slice(0, query.limit);
  const last = shown.at(-1);
  return {
    items: shown.map(query.toRecord),
    next: items.length > query.limit && last ? { createdAt: last.createdAt, id: query.idOf(last) } : undefined,
  };
}

/**
 * How many of one owner's items of one kind there are on byOwnerCreated (`ownerKey = <kind>#<userId>`):
 * Queries with `Select: COUNT`, page after page (each reads up to 1 MB), never a scan. A
 * `FilterExpression` (expired items, tombstones) is applied before DynamoDB counts.
 */
export async function countOwnerItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  query: {
    ownerKey: string;
    filter?: { expression: string; names: Record<string, string>; values: Record<string, unknown> };
  },
): Promise<number> {
  const index = FIXED_INDEXES.byOwnerCreated;
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client
      .send(
        new QueryCommand({
          TableName: tableName,
          IndexName: index.name,
          Select: 'COUNT',
          KeyConditionExpression: '#owner = :owner',
          ...(query.filter ? { FilterExpression: query.filter.expression } : {}),
          ExpressionAttributeNames: { '#owner': index.partition, ...query.filter?.names },
          ExpressionAttributeValues: { ':owner': query.ownerKey, ...query.filter?.values },
          ExclusiveStartKey: startKey,
        }),
      )
      .catch(rethrowDynamoDbError);
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}

/** The filter that leaves out items whose `ttl` has passed at `now` (DynamoDB deletes them lazily). */
export function liveAtFilter(now: Date): { expression: string; names: Record<string, string>; values: Record<string, unknown> } {
  return { expression: 'attribute_not_exists(#ttl) OR #ttl > :now', names: { '#ttl': TTL_ATTRIBUTE }, values: { ':now': Math.floor(now.getTime() / 1000) } };
}
