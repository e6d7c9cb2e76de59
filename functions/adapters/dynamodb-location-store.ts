/**
 * Users' last locations and the fence cells, in the single table (ARCHITECTURE.md, "Geolocation"):
 * - location: `pk = USER#<userId>`, `sk = LOCATION`, indexed in GSI slot `ix1` under
 *   `_locations#<coarse cell>` / `<geohash>#<userId>` (push `to: { near }`);
 * - geofence event: `pk = EVENT#<eventId>`, `sk = GEOFENCE`, `ttl` one day, written in the same
 *   TransactWriteItems as the location it follows from (the functions dispatcher reads it from the stream);
 * - fence cell: `pk = _fence#<collection>#<cell>`, `sk = <fenceId>` (written with the fence document).
 */
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fenceCellPartition, type FenceCell } from '../core/geo/fences.js';
import { geoKeys, type GeoCell } from '../core/geo/geo-index.js';
import { LOCATIONS_PREFIX, LOCATIONS_SLOT, type FenceCellReader, type GeofenceEventRecord, type LocationStore, type StoredLocation } from '../core/geo/user-location.js';
import { ENTITY, indexSlot, TABLE_KEY, TTL_ATTRIBUTE } from '../core/table-design.js';
import { isConditionFailure, rethrowDynamoDbError } from './dynamodb-errors.js';
import { readGeoCells } from './dynamodb-geo-cells.js';
import { queryAll } from './dynamodb-paged-query.js';

export const LOCATION_SORT_KEY = 'LOCATION';

export function locationKey(userId: string): Record<string, string> {
  return { [TABLE_KEY.partition]: `USER#${userId}`, [TABLE_KEY.sort]: LOCATION_SORT_KEY };
}

type LocationItem = StoredLocation & { entity: 'location' } & Record<string, unknown>;

export class DynamoDbLocationStore implements LocationStore, FenceCellReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(userId: string): Promise<StoredLocation | undefined> {
    const { Item } = await this.client
      .send(new GetCommand({ TableName: this.tableName, Key: locationKey(userId), ConsistentRead: true }))
      .catch(rethrowDynamoDbError);
    return Item ? storedLocation(Item as LocationItem) : undefined;
  }

  async save(next: StoredLocation, expectedVersion: number | undefined, event: GeofenceEventRecord | undefined): Promise<'ok' | 'version-mismatch'> {
    const slot = indexSlot(LOCATIONS_SLOT);
    const keys = geoKeys(LOCATIONS_PREFIX, next.location, next.userId);
    const item = { ...locationKey(next.userId), entity: 'location', ...next, [slot.partition]: keys.partition, [slot.sort]: keys.sort };
    const condition: { ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } =
      expectedVersion === undefined
        ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': TABLE_KEY.partition } }
        : { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } };
    try {
      if (!event) {
        await this.client.send(new PutCommand({ TableName: this.tableName, Item: item, ...condition }));
      } else {
        const eventItem = { [TABLE_KEY.partition]: `EVENT#${event.eventId}`, [TABLE_KEY.sort]: 'GEOFENCE', entity: ENTITY.geofenceEvent, ...event, [TTL_ATTRIBUTE]: event.ttl };
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: this.tableName, Item: item, ...condition } },
              { Put: { TableName: this.tableName, Item: eventItem } },
            ],
          }),
        );
      }
      return 'ok';
    } catch (error) {
      if (isConditionFailure(error) || isCancelledByCondition(error)) return 'version-mismatch';
      return rethrowDynamoDbError(error);
    }
  }

  async remove(userId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: locationKey(userId) })).catch(rethrowDynamoDbError);
  }

  async readCells(cells: readonly GeoCell[]): Promise<StoredLocation[]> {
    return (await readGeoCells<LocationItem>(this.client, this.tableName, LOCATIONS_SLOT, cells)).map(storedLocation);
  }

  async fencesAt(collection: string, cell: string): Promise<FenceCell[]> {
    const items = await queryAll<{ fence: FenceCell }>(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE_KEY.partition },
      ExpressionAttributeValues: { ':pk': fenceCellPartition(collection, cell) },
    });
    return items.map((item) => item.fence);
  }
}

function storedLocation(item: LocationItem): StoredLocation {
  return { userId: item.userId, location: item.location, updatedAt: item.updatedAt, version: item.version, fences: item.fences ?? [] };
}

function isCancelledByCondition(error: unknown): boolean {
  const reasons = (error as { name?: string; CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return (error as { name?: string }).name === 'TransactionCanceledException' && reasons.some((reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict');
}
