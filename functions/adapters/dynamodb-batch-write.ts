/**
 * Writes many items, 25 per BatchWriteItem, retrying unprocessed items with backoff as the SDK
 * documentation advises. Used where no condition is needed: account erasure (deletes) and inbox
 * fan-out (puts).
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TooManyRequestsError } from '../core/errors.js';
import { rethrowDynamoDbError } from './dynamodb-errors.js';

const BATCH_WRITE_LIMIT = 25;
const BATCH_WRITE_ATTEMPTS = 6;

type WriteRequest = { DeleteRequest: { Key: Record<string, unknown> } } | { PutRequest: { Item: Record<string, unknown> } };

export async function batchWrite(client: DynamoDBDocumentClient, tableName: string, writes: readonly WriteRequest[]): Promise<void> {
  for (let start = 0; start < writes.length; start += BATCH_WRITE_LIMIT) {
    let requests = writes.slice(start, start + BATCH_WRITE_LIMIT);
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt === BATCH_WRITE_ATTEMPTS) throw new TooManyRequestsError('The table is busy; retry shortly.');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      try {
        const { UnprocessedItems } = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
      } catch (error) {
        rethrowDynamoDbError(error);
      }
    }
  }
}

export function batchDelete(client: DynamoDBDocumentClient, tableName: string, keys: readonly Record<string, unknown>[]): Promise<void> {
  return batchWrite(client, tableName, keys.map((Key) => ({ DeleteRequest: { Key } })));
}

export function batchPut(client: DynamoDBDocumentClient, tableName: string, items: readonly Record<string, unknown>[]): Promise<void> {
  return batchWrite(client, tableName, items.map((Item) => ({ PutRequest: { Item } })));
}
