/**
 * Inbox items in the single table (ARCHITECTURE.md): `pk = USER#<userId>`,
 * `sk = NOTIFICATION#<notificationId>`, `ownerKey = _inbox#<userId>` for newest-first pages, and
 * `ttl` (90 days). Keyed by their user, so one user can never reach another's item. Reads treat an
 * item past its `ttl` as gone, since DynamoDB deletes it only lazily.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OwnerPage, OwnerPosition } from '../core/pagination/owner-pages.js';
import type { InboxItem, InboxStore } from '../core/push/push-ports.js';
import { TABLE_KEY, TTL_ATTRIBUTE } from '../core/table-design.js';
import { batchDelete, batchPut } from './dynamodb-batch-write.js';
import { conditionally } from './dynamodb-errors.js';
import { queryOwnerPage } from './dynamodb-owner-pages.js';

export const NOTIFICATION_ENTITY = 'notification';
export const inboxKey = (userId: string, notificationId: string) => ({
  [TABLE_KEY.partition]: `USER#${userId}`,
  [TABLE_KEY.sort]: `NOTIFICATION#${notificationId}`,
});
/** The byOwnerCreated partition that holds `userId`'s inbox. */
export const inboxOwnerKey = (userId: string) => `_inbox#${userId}`;

export type InboxTableItem = InboxItem & { entity: typeof NOTIFICATION_ENTITY; owner: string; ownerKey: string; ttl?: number };

/** A stored inbox item as the API shows it (the shape `GET /notifications` lists and realtime sends). */
export function toInboxItem(item: InboxTableItem): InboxItem {
  return {
    notificationId: item.notificationId,
    title: item.title,
    body: item.body,
    data: item.data ?? {},
    read: item.read,
    createdAt: item.createdAt,
  };
}

export class DynamoDbInboxStore implements InboxStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putMany(userIds: readonly string[], item: Omit<InboxItem, 'read'>, expireAt: Date): Promise<void> {
    const ttl = Math.floor(expireAt.getTime() / 1000);
    await batchPut(
      this.client,
      this.tableName,
      userIds.map((userId) => ({
        ...inboxKey(userId, item.notificationId),
        entity: NOTIFICATION_ENTITY,
        owner: userId,
        ownerKey: inboxOwnerKey(userId),
        ...item,
        read: false,
        [TTL_ATTRIBUTE]: ttl,
      })),
    );
  }

  listByOwner(userId: string, options: { limit: number; after?: OwnerPosition; now: Date }): Promise<OwnerPage<InboxItem>> {
    return this.page(userId, options, options.now);
  }

  listAllByOwner(userId: string, options: { limit: number; after?: OwnerPosition }): Promise<OwnerPage<InboxItem>> {
    return this.page(userId, options, undefined);
  }

  markRead(userId: string, notificationId: string, now: Date): Promise<boolean> {
    return conditionally(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: inboxKey(userId, notificationId),
          UpdateExpression: 'SET #read = :true',
          ConditionExpression: '#entity = :notification AND (attribute_not_exists(#ttl) OR #ttl > :now)',
          ExpressionAttributeNames: { '#read': 'read', '#entity': 'entity', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':true': true, ':notification': NOTIFICATION_ENTITY, ':now': Math.floor(now.getTime() / 1000) },
        }),
      ),
    );
  }

  async deleteMany(userId: string, notificationIds: readonly string[]): Promise<void> {
    await batchDelete(this.client, this.tableName, notificationIds.map((id) => inboxKey(userId, id)));
  }

  private page(userId: string, options: { limit: number; after?: OwnerPosition }, liveAt: Date | undefined): Promise<OwnerPage<InboxItem>> {
    return queryOwnerPage<InboxTableItem, InboxItem>(this.client, this.tableName, {
      ownerKey: inboxOwnerKey(userId),
      limit: options.limit,
      after: options.after && { key: inboxKey(userId, options.after.id), createdAt: options.after.createdAt },
      liveAt,
      toRecord: toInboxItem,
      idOf: (item) => item.notificationId,
    });
  }
}
