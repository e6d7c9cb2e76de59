/**
 * File records in the single table (ARCHITECTURE.md): `pk = FILE#<fileId>`, `sk = FILE`,
 * `ownerKey = _files#<ownerId>` and `createdAt`, so byOwnerCreated lists one user's files newest
 * first with one Query. Status changes are conditional writes; `ttl` lets DynamoDB forget
 * abandoned pending uploads and rejected files.
 */
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../core/errors.js';
import type { FileRecord } from '../core/storage/file-record.js';
import type { FilePosition, FileRecordPage, FileRecordStore } from '../core/storage/storage-ports.js';
import { FIXED_INDEXES, TABLE_KEY, TTL_ATTRIBUTE } from '../core/table-design.js';
import { batchDelete } from './dynamodb-batch-delete.js';
import { isConditionFailure, rethrowDynamoDbError } from './dynamodb-errors.js';

export const FILE_ENTITY = 'file';
export const fileItemKey = (fileId: string) => ({ [TABLE_KEY.partition]: `FILE#${fileId}`, [TABLE_KEY.sort]: 'FILE' });
/** The byOwnerCreated partition that holds `ownerId`'s files. */
export const filesOwnerKey = (ownerId: string) => `_files#${ownerId}`;

/** The stored item: the record (its owner as `owner`) plus the table's keys. */
type FileItem = Omit<FileRecord, 'ownerId'> & {
  entity: typeof FILE_ENTITY;
  ownerKey: string;
  owner: string;
  rejectedReason?: string;
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

  async get(fileId: string): Promise<FileRecord | undefined> {
    try {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: fileItemKey(fileId), ConsistentRead: true }));
      return Item?.entity === FILE_ENTITY ? toRecord(Item as FileItem) : undefined;
    } catch (error) {
      return rethrowDynamoDbError(error);
    }
  }

  async listByOwner(ownerId: string, options: { limit: number; after?: FilePosition }): Promise<FileRecordPage> {
    const index = FIXED_INDEXES.byOwnerCreated;
    const ownerKey = filesOwnerKey(ownerId);
    try {
      // One more than asked: a page is followed by a cursor only when something really comes next.
      const { Items = [] } = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index.name,
          KeyConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': index.partition },
          ExpressionAttributeValues: { ':owner': ownerKey },
          ScanIndexForward: false,
          Limit: options.limit + 1,
          // Rebuilt from the caller's partition: a position can only move within it.
          ExclusiveStartKey: options.after
            ? { ...fileItemKey(options.after.fileId), [index.partition]: ownerKey, [index.sort]: options.after.createdAt }
            : undefined,
        }),
      );
      const records = (Items as FileItem[]).map(toRecord);
      const items = records.slice(0, options.limit);
      const last = items.at(-1);
      const next = records.length > options.limit && last ? { createdAt: last.createdAt, fileId: last.fileId } : undefined;
      return { items, next };
    } catch (error) {
      return rethrowDynamoDbError(error);
    }
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

  async delete(fileId: string): Promise<FileRecord | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: fileItemKey(fileId),
          ConditionExpression: '#entity = :file',
          ExpressionAttributeNames: { '#entity': 'entity' },
          ExpressionAttributeValues: { ':file': FILE_ENTITY },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Attributes ? toRecord(Attributes as FileItem) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      return rethrowDynamoDbError(error);
    }
  }

  async deleteMany(fileIds: readonly string[]): Promise<void> {
    await batchDelete(this.client, this.tableName, fileIds.map(fileItemKey));
  }

  private async conditionalUpdate(command: UpdateCommand): Promise<boolean> {
    try {
      await this.client.send(command);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      return rethrowDynamoDbError(error);
    }
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

function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
