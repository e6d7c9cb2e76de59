/**
 * One page of one owner's items of one kind on byOwnerCreated (`ownerKey = <kind>#<userId>`),
 * newest first, as the push stores list them: a position is the last item's `createdAt` and its
 * table key, rebuilt by the store from the caller's own partition, so it can only move within it.
 */
import { isExpired } from '../core/documents/document-item.js';
import type { OwnerPage } from '../core/pagination/owner-pages.js';
import { FIXED_INDEXES, TTL_ATTRIBUTE } from '../core/table-design.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
