/**
 * Everything one user owns in the document database, for account export (GET /me/export) and
 * erasure (DELETE /me): one Query per page of each collection's owner partition, never a scan.
 */
import type { Clock } from '../clock.js';
import type { BackendSettings } from '../config/define-backend.js';
import type { CursorPosition } from '../pagination/cursor.js';
import { fenceCellChanges } from '../geo/fences.js';
import { isExpired, toDocument, type Document } from './document-item.js';
import type { DocumentStore } from './document-store.js';

const PAGE_SIZE = 100;

export type OwnedDocument = Document & { collection: string };

/** Every live document of `userId`, collection by collection, newest first within each. */
export async function listUserDocuments(
  store: DocumentStore,
  backend: Pick<BackendSettings, 'collections'>,
  userId: string,
  clock: Clock,
): Promise<OwnedDocument[]> {
  const now = clock.now();
  const documents: OwnedDocument[] = [];
  for (const collection of Object.keys(backend.collections)) {
    await eachPage(store, collection, userId, async (items) => {
      for (const item of items) if (!isExpired(item, now)) documents.push({ collection, ...toDocument(item) });
    });
  }
  return documents;
}

/** Deletes every document of `userId` (expired ones too). Safe to run again after a failure. */
export async function deleteUserDocuments(store: DocumentStore, backend: Pick<BackendSettings, 'collections'>, userId: string): Promise<number> {
  let deleted = 0;
  for (const collection of Object.keys(backend.collections)) {
    const resolved = backend.collections[collection]!;
    await eachPage(store, collection, userId, async (items) => {
      // A geofence's cells go with it, or location reports would still find it.
      const cells = items.flatMap((item) => fenceCellChanges(resolved, item, undefined).deletes);
      await store.deleteMany(items.map((item) => ({ collection, id: item.id })), cells);
      deleted += items.length;
    });
  }
  return deleted;
}

async function eachPage(
  store: DocumentStore,
  collection: string,
  owner: string,
  visit: (items: Awaited<ReturnType<DocumentStore['listByOwner']>>['items']) => Promise<void>,
): Promise<void> {
  let startKey: CursorPosition | undefined;
  do {
    const page = await store.listByOwner(collection, owner, { limit: PAGE_SIZE, startKey });
    if (page.items.length) await visit(page.items);
    startKey = page.lastKey;
  } while (startKey);
}
