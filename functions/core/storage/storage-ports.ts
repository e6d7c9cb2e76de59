/**
 * The ports the storage use cases need; functions/adapters implements them over DynamoDB and S3,
 * tests may implement them in memory.
 */
import type { CursorPosition } from '../pagination/cursor.js';
import type { FileRecord } from './file-record.js';

/** Where a list of one owner's files stopped (newest first). */
export type FilePosition = { createdAt: string; fileId: string };

export type FileRecordPage = { items: FileRecord[]; next: FilePosition | undefined };

export type FileRecordStore = {
  /** Writes a new record; `expireAt` is when the table may forget it if it is still pending. */
  create(record: FileRecord, expireAt: Date): Promise<void>;
  get(fileId: string): Promise<FileRecord | undefined>;
  /** One owner's records, newest first, `limit` at most, after `after` (one Query, no scan). */
  listByOwner(ownerId: string, options: { limit: number; after?: FilePosition }): Promise<FileRecordPage>;
  /** pending → ready. False when the record is gone or not pending (conditional write). */
  markReady(fileId: string, at: Date): Promise<boolean>;
  /** pending | ready → rejected, forgotten at `expireAt`. False when the record is gone or already rejected. */
  markRejected(fileId: string, reason: string, at: Date, expireAt: Date): Promise<boolean>;
  /** Deletes the record and returns what it held; undefined when there was none. */
  delete(fileId: string): Promise<FileRecord | undefined>;
  /** Deletes these records (missing ones are fine). */
  deleteMany(fileIds: readonly string[]): Promise<void>;
};

/** A browser form upload: POST `fields` then the file, as multipart/form-data, to `url`. */
export type UploadForm = { url: string; fields: Record<string, string> };

export type StoredObject = { size: number; contentType: string | undefined };

export type FileObjectStore = {
  /** A presigned POST admitting exactly `size` bytes of `contentType` at `key`, until `expiresInSeconds` from now. */
  presignUpload(input: { key: string; contentType: string; size: number; expiresInSeconds: number }): Promise<UploadForm>;
  /** A presigned GET of `key` that names the download `fileName`. */
  presignDownload(input: { key: string; fileName: string; expiresInSeconds: number }): Promise<string>;
  /** The object's size and type, or undefined when there is no such object. */
  head(key: string): Promise<StoredObject | undefined>;
  /** Deletes these objects (missing ones are fine). */
  delete(keys: readonly string[]): Promise<void>;
};

export type Clock = { now(): Date };

/** Signed page cursors bound to a scope (functions/core/pagination/cursor.ts `CursorCodec`). */
export type PageCursors = {
  encode(position: CursorPosition, scope: unknown): string;
  /** Throws `ValidationError` for a cursor altered or issued for another scope. */
  decode(cursor: string, scope: unknown): CursorPosition;
};

/** lambase.config.ts `storage`, plus the admin group (admins may read and delete every file). */
export type StorageSettings = {
  maxFileSize: number;
  allowedContentTypes: readonly string[];
  uploadUrlExpiresInSeconds: number;
  adminGroup: string;
};

export type StorageDependencies = {
  records: FileRecordStore;
  objects: FileObjectStore;
  /** Loaded on first use (the signing key lives in the table). */
  cursors: () => Promise<PageCursors>;
  clock: Clock;
  newFileId: () => string;
  settings: StorageSettings;
};
