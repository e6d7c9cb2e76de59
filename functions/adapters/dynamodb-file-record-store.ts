/**
 * File records in the single table (ARCHITECTURE.md): `pk = FILE#<fileId>`, `sk = FILE`,
 * `ownerKey = _files#<ownerId>` and `createdAt`, so byOwnerCreated lists one user's files newest
 * first with one Query. Status changes are conditional writes; `ttl` lets DynamoDB forget
 * abandoned pending uploads and rejected files — lazily, days later, so reads that take `now`
 * treat a record past its `ttl` as gone (like expired documents). Every DynamoDB failure goes
 * through `rethrowDynamoDbError`: throttling reaches the client as 429.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../core/errors.js';
import { isLive, type FileRecord, type LiveFileRecord } from '../core/storage/file-record.js';
import type { FilePosition, FileRecordPage, FileRecordStore } from '../core/storage/storage-ports.js';
import { ENTITY, FIXED_INDEXES, TABLE_KEY, TTL_ATTRIBUTE } from '../core/table-design.js';
import { batchDelete } from './dynamodb-batch-write.js';
import { conditionally, isConditionFailure, rethrowDynamoDbError } from './dynamodb-errors.js';
import { countOwnerItems, liveAtFilter } from './dynamodb-owner-pages.js';
import { queryPage } from './dynamodb-paged-query.js';

const FILE_ENTITY = ENTITY.file;
/** Items read per Query once a filtered page has come up short (hidden records are rare, but may pile up). */
const REFILL_READ_SIZE = 100;
export const fileItemKey = (fileId: string) => ({ [TABLE_KEY.partition]: `FILE#${fileId}`, [TABLE_KEY.sort]: 'FILE' });
/** The byOwnerCreated partition that holds `ownerId`'s files. */
export const filesOwnerKey = (ownerId: string) => `_files#${ownerId}`;

/** The stored item: the record (its owner as `owner`) plus the table's keys. */
type FileItem = Omit<FileRecord, 'ownerId'> & {
  entity: typeof FILE_ENTITY;
  ownerKey: string;
  owner: string;
  rejectedReason?: string;
  [TTL_ATTRIBUTE]?: number;
};

export class DynamoDbFileRecordStore implements FileRecordStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: FileRecord, expireAt: Date): Promise<void> {
    const { ownerId, ...fields } = record;
    const item: FileItem & Record<string, unknown> = {
      ...fileItemKey(record.fileId),
      ...fields,
      entity: FILE_ENTITY,
      ownerKey: filesOwnerKey(ownerId),
      owner: ownerId,
      [TTL_ATTRIBUTE]: epochSeconds(expireAt),
    };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE_KEY.partition },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError('A file with this id already exists.', { cause: error });
      rethrowDynamoDbError(error);
    }
  }

  async get(fileId: string, now: Date): Promise<FileRecord | undefined> {
    try {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: fileItemKey(fileId), ConsistentRead: true }));
      const item = Item as FileItem | undefined;
      return item?.entity === FILE_ENTITY && !isExpired(item, now) ? toRecord(item) : undefined;
    } catch (error) {
      return rethrowDynamoDbError(error);
    }
  }

  async listByOwner(ownerId: string, options: { limit: number; after?: FilePosition; now: Date }): Promise<FileRecordPage<LiveFileRecord>> {
    const { now } = options;
    // The filter keeps pages small on the wire; the check below also covers an item that
    // expired between DynamoDB's evaluation and ours.
    const page = await this.queryOwner(ownerId, options, {
      FilterExpression: '(attribute_not_exists(#ttl) OR #ttl > :now) AND #status <> :deleting',
      ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE, '#status': 'status' },
      ExpressionAttributeValues: { ':now': epochSeconds(now), ':deleting': 'deleting' },
      keep: (item) => !isExpired(item, now) && item.status !== 'deleting',
    });
    return { items: page.items.filter(isLive), next: page.next };
  }

  countByOwner(ownerId: string, now: Date): Promise<number> {
    const live = liveAtFilter(now);
    return countOwnerItems(this.client, this.tableName, {
      ownerKey: filesOwnerKey(ownerId),
      filter: {
        expression: `(${live.expression}) AND #status <> :deleting`,
        names: { ...live.names, '#status': 'status' },
        values: { ...live.values, ':deleting': 'deleting' },
      },
    });
  }

  listAllByOwner(ownerId: string, options: { limit: number; after?: FilePosition }): Promise<FileRecordPage> {
    return this.queryOwner(ownerId, options);
  }

  /**
   * Pages of `ownerId`'s items on byOwnerCreated, newest first, keeping those `filter` keeps: as
   * many Queries as it takes to fill the page, or to learn that nothing comes next.
   */
  private async queryOwner(
    ownerId: string,
    options: { limit: number; after?: FilePosition },
    filter?: {
      FilterExpression: string;
      ExpressionAttributeNames: Record<string, string>;
      ExpressionAttributeValues: Record<string, unknown>;
      keep: (item: FileItem) => boolean;
    },
  ): Promise<FileRecordPage> {
    const index = FIXED_INDEXES.byOwnerCreated;
    const ownerKey = filesOwnerKey(ownerId);
    // One more than asked: a page is followed by a cursor only when something really comes next.
    const wanted = options.limit + 1;
    const page = await queryPage<FileItem>(this.client, {
      input: {
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#owner = :owner',
        ...(filter ? { FilterExpression: filter.FilterExpression } : {}),
        ExpressionAttributeNames: { '#owner': index.partition, ...filter?.ExpressionAttributeNames },
        ExpressionAttributeValues: { ':owner': ownerKey, ...filter?.ExpressionAttributeValues },
        ScanIndexForward: false,
      },
      wanted,
      // Rebuilt from the caller's partition: a position can only move within it.
      startKey: options.after
        ? { ...fileItemKey(options.after.fileId), [index.partition]: ownerKey, [index.sort]: options.after.createdAt }
        : undefined,
      keep: filter?.keep,
      // Items the filter drops still count towards Limit: the loop reads on until the page is
      // full, in bigger steps once something was hidden, so a pile of hidden records costs few reads.
      readSize: (missing, reads) => (filter && reads > 0 ? Math.max(missing, REFILL_READ_SIZE) : missing),
    });
    const records = page.items.map(toRecord);
    const items = records.slice(0, options.limit);
    const last = items.at(-1);
    const next = records.length > options.limit && last ? { createdAt: last.createdAt, fileId: last.fileId } : undefined;
    return { items, next };
  }

  markReady(fileId: string, at: Date): Promise<boolean> {
    return this.conditionalUpdate(
      new UpdateCommand({
        TableName: this.tableName,
        Key: fileItemKey(fileId),
        UpdateExpression: 'SET #status = :ready, #updatedAt = :at REMOVE #ttl',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status', '#updatedAt': 'updatedAt', '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':ready': 'ready', ':pending': 'pending', ':at': at.toISOString() },
      }),
    );
  }

  markRejected(fileId: string, reason: string, at: Date, expireAt: Date): Promise<boolean> {
    return this.conditionalUpdate(
      new UpdateCommand({
        TableName: this.tableName,
        Key: fileItemKey(fileId),
        UpdateExpression: 'SET #status = :rejected, #reason = :reason, #updatedAt = :at, #ttl = :ttl',
        ConditionExpression: '#status IN (:pending, :ready)',
        ExpressionAttributeNames: { '#status': 'status', '#reason': 'rejectedReason', '#updatedAt': 'updatedAt', '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':rejected': 'rejected',
          ':pending': 'pending',
          ':ready': 'ready',
          ':reason': reason,
          ':at': at.toISOString(),
          ':ttl': epochSeconds(expireAt),
        },
      }),
    );
  }

  markDeleting(fileId: string): Promise<boolean> {
    // No expiry: the tombstone lasts until the file's deletion finishes and removes it.
    return this.conditionalUpdate(
      new UpdateCommand({
        TableName: this.tableName,
        Key: fileItemKey(fileId),
        UpdateExpression: 'SET #status = :deleting REMOVE #ttl',
        ConditionExpression: '#entity = :file',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': TTL_ATTRIBUTE, '#entity': 'entity' },
        ExpressionAttributeValues: { ':deleting': 'deleting', ':file': FILE_ENTITY },
      }),
    );
  }

  async delete(fileId: string): Promise<void> {
    // A record already gone (or not a file) is fine.
    await conditionally(() =>
      this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: fileItemKey(fileId),
          ConditionExpression: '#entity = :file',
          ExpressionAttributeNames: { '#entity': 'entity' },
          ExpressionAttributeValues: { ':file': FILE_ENTITY },
        }),
      ),
    );
  }

  async deleteMany(fileIds: readonly string[]): Promise<void> {
    await batchDelete(this.client, this.tableName, fileIds.map(fileItemKey));
  }

  private conditionalUpdate(command: UpdateCommand): Promise<boolean> {
    return conditionally(() => this.client.send(command));
  }
}

function toRecord(item: FileItem): FileRecord {
  return {
    fileId: item.fileId,
    ownerId: item.owner,
    key: item.key,
    name: item.name,
    contentType: item.contentType,
    size: Number(item.size),
    visibility: item.visibility,
    status: item.status,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

function isExpired(item: FileItem, now: Date): boolean {
  const ttl = item[TTL_ATTRIBUTE];
  return ttl !== undefined && Number(ttl) <= epochSeconds(now);
}

function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
