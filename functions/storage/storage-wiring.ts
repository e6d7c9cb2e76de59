/**
 * The storage feature's wiring: its parts, each built on call over the environment's shared SDK
 * clients, from the environment its grant provides (the pattern: functions/data/data-wiring.ts).
 * Handlers build what they use once, at module scope: listing files needs no bucket, the trigger
 * no cursor key.
 *
 * @example
 * const deps = { records: fileRecords(), objects: fileObjects(), settings: storageSettings, clock: systemClock };
 */
import { randomBytes } from 'node:crypto';
import backend from '../shared/backend-settings.js';
import { documentClient, s3Client } from '../adapters/aws-clients.js';
import { tableCursors } from '../adapters/dynamodb-cursor-key.js';
import { DynamoDbFileRecordStore } from '../adapters/dynamodb-file-record-store.js';
import { S3FileObjectStore } from '../adapters/s3-file-object-store.js';
import { S3StoredObjects } from '../adapters/s3-stored-objects.js';
import type { PageCursors } from '../core/pagination/cursor.js';
import type { StorageSettings } from '../core/storage/storage-ports.js';
import { dynamoDbMeter } from '../shared/dynamodb-usage.js';
import { ENV, requireEnv } from '../shared/env.js';

/** File records in the single table (grant: `table`). */
export function fileRecords(): DynamoDbFileRecordStore {
  return new DynamoDbFileRecordStore(documentClient(dynamoDbMeter), requireEnv(ENV.tableName));
}

/** The files' objects in the bucket (grant: `bucket`, with the one action the function uses). */
export function fileObjects(): S3FileObjectStore {
  return new S3FileObjectStore(s3Client(), requireEnv(ENV.bucketName));
}

/** The same objects, to check and delete only: a function that signs no URL carries no presigner. */
export function storedObjects(): S3StoredObjects {
  return new S3StoredObjects(s3Client(), requireEnv(ENV.bucketName));
}

/** Page cursors for file lists (grant: `cursorKey`). */
export function fileCursors(): () => Promise<PageCursors> {
  return tableCursors(documentClient(dynamoDbMeter), requireEnv(ENV.tableName));
}

/** lambase.config.ts `storage`, and the group whose members may read and delete every file. */
export const storageSettings: StorageSettings = { ...backend.storage, adminGroup: backend.auth.adminGroup };

/** 128 random bits, URL-safe (22 characters). */
export const newFileId = () => randomBytes(16).toString('base64url');
