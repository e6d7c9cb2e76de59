/**
 * The ports the storage use cases need; functions/adapters implements them over DynamoDB and S3,
 * tests may implement them in memory.
 */
import type { Clock } from '../clock.js';
import type { PageCursors } from '../pagination/cursor.js';
import type { DownloadDisposition, FileRecord, LiveFileRecord } from './file-record.js';

/** Where a list of one owner's files stopped (newest first). */
export type FilePosition = { createdAt: string; fileId: string };

export type FileRecordPage<T extends FileRecord = FileRecord> = { items: T[]; next: FilePosition | undefined };

/**
 * File records. A record may carry an expiry (pending: upload expiry + 24 h; rejected: 7 days)
 * that DynamoDB acts on only lazily, days later: every read that takes `now` treats a record
 * expired at `now` as gone.
 */
export type FileRecordStore = {
  /** Writes a new record; `expireAt` is when the table may forget it if it is still pending. */
  create(record: FileRecord, expireAt: Date): Promise<void>;
  /** The record, in any status (`deleting` too), unless it has expired at `now`. */
  get(fileId: string, now: Date): Promise<FileRecord | undefined>;
  /**
   * One owner's live records — not expired at `now`, not being deleted — newest first, `limit` at
   * most, after `after`. Full pages: hidden records never shorten a page that has more behind it.
   */
  listByOwner(ownerId: string, options: { limit: number; after?: FilePosition; now: Date }): Promise<FileRecordPage<LiveFileRecord>>;
  /** How many live records (as `listByOwner` lists them) one owner has at `now`, counted without a scan. */
  countByOwner(ownerId: string, now: Date): Promise<number>;
  /** Every record of one owner, expired and `deleting` ones too (for erasure), newest first. */
  listAllByOwner(ownerId: string, options: { limit: number; after?: FilePosition }): Promise<FileRecordPage>;
  /** pending → ready. False when the record is gone or not pending (conditional write). */
  markReady(fileId: string, at: Date): Promise<boolean>;
  /** pending | ready → rejected, forgotten at `expireAt`. False when the record is gone or not pending or ready. */
  markRejected(fileId: string, reason: string, at: Date, expireAt: Date): Promise<boolean>;
  /**
   * Any status → `deleting`, with no expiry: the tombstone stays until `delete` removes it. False
   * when there is no such record.
   */
  markDeleting(fileId: string): Promise<boolean>;
  /** Deletes the record (a missing one is fine). */
  delete(fileId: string): Promise<void>;
  /** Deletes these records (missing ones are fine). */
  deleteMany(fileIds: readonly string[]): Promise<void>;
};

/** A browser form upload: POST `fields` then the file, as multipart/form-data, to `url`. */
export type UploadForm = { url: string; fields: Record<string, string> };

export type StoredObject = { size: number; contentType: string | undefined };

/** The objects themselves: enough to check and erase them (no signing). */
export type StoredObjects = {
  /** The object's size and type, or undefined when there is no such object. */
  head(key: string): Promise<StoredObject | undefined>;
  /** Deletes these objects (missing ones are fine). */
  delete(keys: readonly string[]): Promise<void>;
};

export type FileObjectStore = StoredObjects & {
  /** A presigned POST admitting exactly `size` bytes of `contentType` at `key`, until `expiresInSeconds` from now. */
  presignUpload(input: { key: string; contentType: string; size: number; expiresInSeconds: number }): Promise<UploadForm>;
  /**
   * A presigned GET of `key` whose response says `contentType` (whatever type the object was
   * stored with) and `disposition`, naming the download `fileName`.
   */
  presignDownload(input: {
    key: string;
    fileName: string;
    contentType: string;
    disposition: DownloadDisposition;
    expiresInSeconds: number;
  }): Promise<string>;
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
