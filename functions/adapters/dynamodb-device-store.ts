/**
 * Devices in the single table (ARCHITECTURE.md): `pk = DEVICE#<deviceId>`, `sk = DEVICE`,
 * `ownerKey = _devices#<userId>`, with the SNS endpoint and a map of topic → subscription ARN.
 * Writes name the owner in their condition, so a write for a device whose token has meanwhile
 * moved to another user changes nothing.
 */
import { DeleteCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OwnerPage, OwnerPosition } from '../core/pagination/owner-pages.js';
import type { DevicePlatform } from '../core/push/push-platforms.js';
import type { DeviceRecord, DeviceStore } from '../core/push/push-ports.js';
import { TABLE_KEY } from '../core/table-design.js';
import { conditionally, rethrowDynamoDbError } from './dynamodb-errors.js';
import { queryOwnerPage } from './dynamodb-owner-pages.js';

export const DEVICE_ENTITY = 'device';
export const deviceKey = (deviceId: string) => ({ [TABLE_KEY.partition]: `DEVICE#${deviceId}`, [TABLE_KEY.sort]: 'DEVICE' });
/** The byOwnerCreated partition that holds `userId`'s devices. */
export const devicesOwnerKey = (userId: string) => `_devices#${userId}`;

type DeviceItem = Omit<DeviceRecord, 'ownerId'> & { entity: typeof DEVICE_ENTITY; owner: string; ownerKey: string };

export class DynamoDbDeviceStore implements DeviceStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(deviceId: string): Promise<DeviceRecord | undefined> {
    const { Item } = await this.client
      .send(new GetCommand({ TableName: this.tableName, Key: deviceKey(deviceId), ConsistentRead: true }))
      .catch(rethrowDynamoDbError);
    const item = Item as DeviceItem | undefined;
    return item?.entity === DEVICE_ENTITY ? toRecord(item) : undefined;
  }

  async save(device: { deviceId: string; ownerId: string; platform: DevicePlatform; token: string; endpointArn: string }, options: { at: Date; fresh: boolean }): Promise<void> {
    const at = options.at.toISOString();
    // A fresh device starts its history and its subscriptions over; otherwise both are kept.
    const kept = (name: string, value: string) => (options.fresh ? value : `if_not_exists(${name}, ${value})`);
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: deviceKey(device.deviceId),
          UpdateExpression:
            'SET #entity = :entity, #deviceId = :deviceId, #owner = :owner, #ownerKey = :ownerKey, #platform = :platform, ' +
            `#token = :token, #endpointArn = :endpointArn, #updatedAt = :at, #createdAt = ${kept('#createdAt', ':at')}, ` +
            `#subscriptions = ${kept('#subscriptions', ':none')}`,
          ExpressionAttributeNames: {
            '#entity': 'entity',
            '#deviceId': 'deviceId',
            '#owner': 'owner',
            '#ownerKey': 'ownerKey',
            '#platform': 'platform',
            '#token': 'token',
            '#endpointArn': 'endpointArn',
            '#updatedAt': 'updatedAt',
            '#createdAt': 'createdAt',
            '#subscriptions': 'subscriptions',
          },
          ExpressionAttributeValues: {
            ':entity': DEVICE_ENTITY,
            ':deviceId': device.deviceId,
            ':owner': device.ownerId,
            ':ownerKey': devicesOwnerKey(device.ownerId),
            ':platform': device.platform,
            ':token': device.token,
            ':endpointArn': device.endpointArn,
            ':at': at,
            ':none': {},
          },
        }),
      )
      .catch(rethrowDynamoDbError);
  }

  listByOwner(ownerId: string, options: { limit: number; after?: OwnerPosition }): Promise<OwnerPage<DeviceRecord>> {
    return queryOwnerPage<DeviceItem, DeviceRecord>(this.client, this.tableName, {
      ownerKey: devicesOwnerKey(ownerId),
      limit: options.limit,
      after: options.after && { key: deviceKey(options.after.id), createdAt: options.after.createdAt },
      toRecord,
      idOf: (item) => item.deviceId,
    });
  }

  async setSubscription(deviceId: string, ownerId: string, topic: string, subscriptionArn: string | undefined): Promise<void> {
    await conditionally(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: deviceKey(deviceId),
          UpdateExpression: subscriptionArn === undefined ? 'REMOVE #subscriptions.#topic' : 'SET #subscriptions.#topic = :arn',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#subscriptions': 'subscriptions', '#topic': topic, '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': ownerId, ...(subscriptionArn === undefined ? {} : { ':arn': subscriptionArn }) },
        }),
      ),
    );
  }

  async delete(deviceId: string, ownerId: string): Promise<void> {
    await conditionally(() =>
      this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: deviceKey(deviceId),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': ownerId },
        }),
      ),
    );
  }
}

function toRecord(item: DeviceItem): DeviceRecord {
  return {
    deviceId: item.deviceId,
    ownerId: item.owner,
    platform: item.platform,
    token: item.token,
    endpointArn: item.endpointArn,
    subscriptions: item.subscriptions ?? {},
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}
