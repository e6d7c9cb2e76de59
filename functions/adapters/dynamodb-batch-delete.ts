/**
 * Deletes many items by key, 25 per BatchWriteItem, retrying unprocessed items with backoff as
 * the SDK documentation advises. Used where no condition is needed (account erasure).
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TooManyRequestsError } from '../core/errors.js';
import { rethrowDynamoDbError } from './dynamodb-errors.js';

const BATCH_WRITE_LIMIT = 25;
const BATCH_WRITE_ATTEMPTS = 6;

export async function batchDelete(client: DynamoDBDocumentClient, tableName: string, keys: readonly Record<string, string>[]): Promise<void> {
  for (let start = 0; start < keys.length; start += BATCH_WRITE_LIMIT) {
    let requests = keys.slice(start, start + BATCH_WRITE_LIMIT).map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt === BATCH_WRITE_ATTEMPTS) throw new TooManyRequestsError('The table is busy; retry shortly.');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      try {
        const { UnprocessedItems } = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
      } catch (error) {
        rethrowDynamoDbError(error);
      }
    }
  }
}
