/**
 * Reads geohash cells of a geo index (functions/core/geo/geo-index.ts): one Query per cell,
 * `ixNpk = <partition>` and `begins_with(ixNsk, <cell>)`, following `LastEvaluatedKey` only when a
 * cell holds more than DynamoDB's 1 MB page. Cells are read at once (a covering has ≤ 9 of them
 * away from the poles); the bound on their number is the planner's (ARCHITECTURE.md).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pMap from 'p-map';
import type { GeoCell } from '../core/geo/geo-index.js';
import { indexSlot } from '../core/table-design.js';
import { queryAll } from './dynamodb-paged-query.js';

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
    (cell) =>
      queryAll<T>(client, {
        TableName: tableName,
        IndexName: slot.name,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :cell)',
        ExpressionAttributeNames: { '#pk': slot.partition, '#sk': slot.sort },
        ExpressionAttributeValues: { ':pk': cell.partition, ':cell': cell.prefix },
      }),
    { concurrency: CELL_CONCURRENCY },
  );
  return perCell.flat();
}
