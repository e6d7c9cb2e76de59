/**
 * The object-created trigger's decision: does the object at `key` match what its record declared?
 * Matching objects turn their record `ready`; anything else is deleted, and a record it claimed
 * to be is marked `rejected`. Every step is safe to repeat (S3 may deliver an event twice, and
 * Lambda retries failures): status changes are conditional writes, deletes are idempotent, and a
 * redelivered event finds either the same object (nothing to do) or no object at all.
 */
import { parseObjectKey, type FileRecord } from './file-record.js';
import type { StorageDependencies, StoredObject, StoredObjects } from './storage-ports.js';

export type VerifyOutcome =
  /** The object matches its record, which is (now) ready. */
  | 'ready'
  /** The object did not match; it is deleted and the record rejected. */
  | 'rejected'
  /** No record claims the object (unknown key, deleted or expired file, rejected file, file being deleted): it is deleted. */
  | 'deleted'
  /** The object is already gone (deleted since the event was sent). */
  | 'gone';

/** How long a rejected record stays visible to its owner before the table forgets it. */
const REJECTED_RECORD_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export async function verifyUpload(
  deps: Pick<StorageDependencies, 'records' | 'clock'> & { objects: StoredObjects },
  key: string,
): Promise<{ outcome: VerifyOutcome; reason?: string }> {
  const named = parseObjectKey(key);
  const now = deps.clock.now();
  const record = named ? await deps.records.get(named.fileId, now) : undefined;
  if (!record || record.ownerId !== named?.ownerId || record.key !== key) {
    await deps.objects.delete([key]);
    return { outcome: 'deleted', reason: 'no file record names this key' };
  }
  if (record.status === 'rejected' || record.status === 'deleting') {
    await deps.objects.delete([key]);
    return { outcome: 'deleted', reason: record.status === 'rejected' ? 'the file was rejected' : 'the file is being deleted' };
  }
  const object = await deps.objects.head(key);
  if (!object) return { outcome: 'gone' };
  const mismatch = mismatchOf(object, record);
  if (!mismatch) {
    if (record.status === 'pending') await deps.records.markReady(record.fileId, now);
    return { outcome: 'ready' };
  }
  // Rejected first: if deleting then fails, the retry finds a rejected record and deletes again.
  await deps.records.markRejected(record.fileId, mismatch, now, new Date(now.getTime() + REJECTED_RECORD_TTL_MS));
  await deps.objects.delete([key]);
  return { outcome: 'rejected', reason: mismatch };
}

function mismatchOf(object: StoredObject, record: FileRecord): string | undefined {
  if (object.size !== record.size) return `size ${object.size} bytes, declared ${record.size}`;
  if (object.contentType !== record.contentType) return `content type "${object.contentType ?? ''}", declared "${record.contentType}"`;
  return undefined;
}
