/**
 * The paged Query loops every read of the single table uses: `queryPage` for listings (documents,
 * file records, devices, the inbox) reads until the page holds `wanted` items or the key range
 * ends; `queryAll` reads a key range to its end (a user's topics, a geo cell, a collection's
 * subscribers), following `LastEvaluatedKey` past DynamoDB's 1 MB pages.
 *
 * DynamoDB's `Limit` counts the items it reads, not the items that pass a `FilterExpression`, and
 * some checks can only run after reading (the time of the read against an item's `ttl`), so one
 * Query can come back short, or empty, while more items exist. Asking for one more item than the
 * page shows tells whether a next page exists without returning an empty last page.
 *
 * @example
 * const { items, lastEvaluatedKey } = await queryPage<Item>(client, {
 *   input: { TableName, IndexName, KeyConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues },
 *   wanted: limit + 1,
 *   keep: (item) => !isExpired(item, now),
 * });
 */
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { rethrowDynamoDbError } from './dynamodb-errors.js';

export type PagedQuery<T> = {
  /** The Query, without `Limit` and `ExclusiveStartKey` (the loop sets them). */
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>;
  /** How many items to collect. */
  wanted: number;
  /** Where to start: a previous read's `LastEvaluatedKey`. */
  startKey?: Record<string, unknown>;
  /** Whether to keep an item DynamoDB returned; items not kept do not count. @default keep all */
  keep?: (item: T) => boolean;
  /** The `Limit` of a read, given the items still missing and the reads made so far. @default missing */
  readSize?: (missing: number, reads: number) => number;
  /** Reads allowed once something was found; past it the loop answers short. @default no limit */
  maxReads?: number;
};

export type QueryPageResult<T> = {
  /** At most `wanted` items, in the Query's order. */
  items: T[];
  /** Where the next read would start; undefined once the key range is read to its end. */
  lastEvaluatedKey: Record<string, unknown> | undefined;
  /** `maxReads` ran out before `wanted` items were found (never with no items). */
  budgetSpent: boolean;
};

export async function queryPage<T>(client: DynamoDBDocumentClient, query: PagedQuery<T>): Promise<QueryPageResult<T>> {
  const items: T[] = [];
  let startKey = query.startKey;
  let reads = 0;
  do {
    if (query.maxReads !== undefined && reads >= query.maxReads && items.length > 0) {
      return { items, lastEvaluatedKey: startKey, budgetSpent: true };
    }
    const missing = query.wanted - items.length;
    const page = await client
      .send(new QueryCommand({ ...query.input, Limit: query.readSize?.(missing, reads) ?? missing, ExclusiveStartKey: startKey }))
      .catch(rethrowDynamoDbError);
    reads += 1;
    for (const item of (page.Items ?? []) as T[]) {
      if (items.length < query.wanted && (query.keep?.(item) ?? true)) items.push(item);
    }
    startKey = page.LastEvaluatedKey;
  } while (items.length < query.wanted && startKey);
  return { items, lastEvaluatedKey: startKey, budgetSpent: false };
}

/**
 * Every item of a Query, page after page until the key range ends.
 *
 * @example
 * const follows = await queryAll<FollowItem>(client, { TableName, KeyConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues });
 */
export async function queryAll<T>(client: DynamoDBDocumentClient, input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<T[]> {
  const items: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) })).catch(rethrowDynamoDbError);
    items.push(...((page.Items ?? []) as T[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
