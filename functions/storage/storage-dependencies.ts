/**
 * The storage functions' composition root. Each handler builds, at module scope (once per cold
 * start), only the parts it uses, so it needs only the environment and grants of those parts:
 * listing files needs no bucket, the trigger needs no cursor codec.
 *
 * @example
 * const deps = { records: createFileRecords(), objects: createFileObjects(), settings: storageSettings };
 */
import { randomBytes } from 'node:crypto';
import backend from '../../lambase.config.js';
import { createDocumentClient, createS3Client } from '../adapters/aws-clients.js';
import { cachedCursorKey } from '../adapters/dynamodb-cursor-key.js';
import { DynamoDbFileRecordStore } from '../adapters/dynamodb-file-record-store.js';
import { S3FileObjectStore } from '../adapters/s3-file-object-store.js';
import { CursorCodec } from '../core/pagination/cursor.js';
import type { Clock, PageCursors, StorageSettings } from '../core/storage/storage-ports.js';
import { ENV, requireEnv } from '../shared/env.js';

export const createFileRecords = () => new DynamoDbFileRecordStore(createDocumentClient(), requireEnv(ENV.tableName));

export const createFileObjects = () => new S3FileObjectStore(createS3Client(), requireEnv(ENV.bucketName));

/** lambase.config.ts `storage`, and the group whose members may read and delete every file. */
export const storageSettings: StorageSettings = { ...backend.storage, adminGroup: backend.auth.adminGroup };

/** Page cursors signed with the deployment's cursor key (read from the table once, on first use). */
export function createFileCursors(): () => Promise<PageCursors> {
  const cursorKey = cachedCursorKey(createDocumentClient(), requireEnv(ENV.tableName));
  return async () => new CursorCodec(await cursorKey());
}

export const systemClock: Clock = { now: () => new Date() };

/** 128 random bits, URL-safe (22 characters). */
export const newFileId = () => randomBytes(16).toString('base64url');
