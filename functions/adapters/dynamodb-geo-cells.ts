/**
 * Reads geohash cells of a geo index (functions/core/geo/geo-index.ts): one Query per cell,
 * `ixNpk = <partition>` and `begins_with(ixNsk, <cell>)`, following `LastEvaluatedKey` only when a
 * cell holds more than DynamoDB's 1 MB page. Cells are read at once (a covering has ≤ 9 of them
 * away from the poles); the bound on their number is the planner's (ARCHITECTURE.md).
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pMap from 'p-map';
import type { GeoCell } from '../core/geo/geo-index.js';
import { indexSlot } from '../core/table-design.js';
import { rethrowDynamoDbError } from './dynamodb-errors.js';

/** Cells read at once: a typical covering in one round, and a polar one without flooding the SDK's sockets. */
const CELL_CONCURRENCY = 10;

export async function readGeoCells<T>(
  client: DynamoDBDocumentClient,
  tableName: string,
  slotNumber: number,
  cells: readonly GeoCell[],
): Promise<T[]> {
  const slot = indexSlot(slotNumber);
  const perCell = await pMap(
    cells,
    async (cell) => {
      const items: T[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client
          .send(
            new QueryCommand({
              TableName: tableName,
              IndexName: slot.name,
              KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :cell)',
              ExpressionAttributeNames: { '#pk': slot.partition, '#sk': slot.sort },
              ExpressionAttributeValues: { ':pk': cell.partition, ':cell': cell.prefix },
              ExclusiveStartKey: startKey,
            }),
          )
          .catch(rethrowDynamoDbError);
        items.push(...((page.Items ?? []) as T[]));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items;
    },
    { concurrency: CELL_CONCURRENCY },
  );
  return perCell.flat();
}
