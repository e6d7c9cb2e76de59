/**
 * Files: what the platform records about an uploaded object, where the object lives, and the
 * small rules every storage use case shares. Pure: no AWS, no HTTP.
 *
 * Object key layout — `files/<ownerId>/<fileId>`:
 * - every key is built here, server-side, from the caller's id, so an upload policy can never name
 *   another user's prefix;
 * - `files/` is the one root the storage functions are granted (upload: PutObject, download:
 *   GetObject, delete and the trigger: DeleteObject/GetObject) and the prefix the object-created
 *   trigger listens on; nothing else in the bucket is theirs to touch;
 * - `files/<ownerId>/` holds all of a user's objects, so an account's objects are one prefix.
 */

/** What a client sees: `rejected` stays visible to the owner until the record expires. */
export type FileStatus = 'pending' | 'ready' | 'rejected';
/**
 * A record's status. `deleting` is a tombstone, written before a file's object is deleted (DELETE
 * /storage/files/{fileId}, account erasure) and kept until the record itself goes: the trigger
 * deletes anything that lands for it, a retry after a failure finds it and finishes, and no
 * client ever sees it.
 */
export type RecordStatus = FileStatus | 'deleting';
export type FileVisibility = 'private' | 'public';

export type FileRecord = {
  fileId: string;
  ownerId: string;
  /** The object key, `files/<ownerId>/<fileId>`. */
  key: string;
  name: string;
  contentType: string;
  size: number;
  visibility: FileVisibility;
  status: RecordStatus;
  createdAt: string;
  updatedAt: string;
};

/** A record a client may see: not being deleted. */
export type LiveFileRecord = FileRecord & { status: FileStatus };

export function isLive(record: FileRecord): record is LiveFileRecord {
  return record.status !== 'deleting';
}

/** What a client sees of a file (docs/api/files.md). */
export type FileView = Pick<LiveFileRecord, 'fileId' | 'name' | 'contentType' | 'size' | 'visibility' | 'status' | 'createdAt'>;

export const FILES_KEY_ROOT = 'files/';

/** Owner and file ids are URL-safe tokens (Cognito subs are UUIDs), never containing "/". */
const KEY_SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;

export function objectKeyFor(ownerId: string, fileId: string): string {
  if (!KEY_SEGMENT.test(ownerId) || !KEY_SEGMENT.test(fileId)) {
    throw new Error('owner and file ids must be URL-safe tokens to form an object key');
  }
  return `${FILES_KEY_ROOT}${ownerId}/${fileId}`;
}

/** The owner and file an object key names, or undefined for a key outside the layout. */
export function parseObjectKey(key: string): { ownerId: string; fileId: string } | undefined {
  if (!key.startsWith(FILES_KEY_ROOT)) return undefined;
  const [ownerId, fileId, ...rest] = key.slice(FILES_KEY_ROOT.length).split('/');
  if (rest.length > 0 || !ownerId || !fileId || !KEY_SEGMENT.test(ownerId) || !KEY_SEGMENT.test(fileId)) return undefined;
  return { ownerId, fileId };
}

/** `image/png; charset=x` → `image/png`. */
export function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/**
 * Whether `contentType` is one of `allowed` (lambase.config.ts `storage.allowedContentTypes`),
 * where `image/*` admits every image type. Parameters (`; charset=…`) do not take part.
 */
export function isAllowedContentType(contentType: string, allowed: readonly string[]): boolean {
  const mediaType = mediaTypeOf(contentType);
  return allowed.some((pattern) =>
    pattern.endsWith('/*') ? mediaType.startsWith(pattern.slice(0, -1)) && mediaType.length > pattern.length - 1 : mediaType === pattern,
  );
}

/**
 * Types a browser may render in the page when a download URL is opened: passive content that runs
 * no script. Anything else — SVG, HTML, XML, JavaScript… — would run on the bucket's origin, so it
 * is served as an `attachment` (saved, not rendered).
 */
const INLINE_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'application/pdf',
  'text/plain',
]);

export type DownloadDisposition = 'inline' | 'attachment';

/** How a download of a file of `contentType` is served (its Content-Disposition). */
export function downloadDispositionFor(contentType: string): DownloadDisposition {
  return INLINE_MEDIA_TYPES.has(mediaTypeOf(contentType)) ? 'inline' : 'attachment';
}

export function toFileView(record: LiveFileRecord): FileView {
  const { fileId, name, contentType, size, visibility, status, createdAt } = record;
  return { fileId, name, contentType, size, visibility, status, createdAt };
}
