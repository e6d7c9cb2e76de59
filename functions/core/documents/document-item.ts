/**
 * How a document is stored in the single table (ARCHITECTURE.md): its keys, the attributes the
 * GSIs read, the TTL attribute, and the way back to the public document. Pure: key strings only.
 */
import type { ResolvedCollection, ResolvedGeoIndex, ResolvedIndex } from '../config/define-backend.js';
import { ENTITY, FIXED_INDEXES, indexSlot, TABLE_KEY, TTL_ATTRIBUTE } from '../table-design.js';
import { geoKeys, isPoint } from '../geo/geo-index.js';
import type { DocumentFields } from './document-schemas.js';

/** What clients see: their fields plus the server-set ones. */
export type Document = DocumentFields & {
  id: string;
  owner: string;
  createdAt: string;
  updatedAt: string;
  version: number;
};

export type DocumentMeta = Pick<Document, 'id' | 'owner' | 'createdAt' | 'updatedAt' | 'version'>;

/** The stored item. `data` holds the user's fields, so they can never collide with ours. */
export type DocumentItem = {
  [TABLE_KEY.partition]: string;
  [TABLE_KEY.sort]: string;
  entity: 'document';
  collection: string;
  data: DocumentFields;
  ttl?: number;
} & DocumentMeta &
  Record<string, unknown>;

export const DOCUMENT_SORT_KEY = 'DOC';

export function documentKey(collection: string, id: string) {
  return { [TABLE_KEY.partition]: `DOC#${collection}#${id}`, [TABLE_KEY.sort]: DOCUMENT_SORT_KEY };
}

export const ownerPartition = (collection: string, owner: string) => `${collection}#${owner}`;
export const indexPartition = (collection: string, index: ResolvedIndex, value: unknown) =>
  `${collection}#${index.name}#${encodeKeyValue(value)}`;

/** The key prefix of a geo index's partitions (with the partition field's value when it has one). */
export function geoIndexPrefix(collection: string, index: ResolvedGeoIndex, partitionValue: unknown): string {
  return index.partition === undefined ? `${collection}#${index.name}` : `${collection}#${index.name}#${encodeKeyValue(partitionValue)}`;
}

export function toItem(collection: ResolvedCollection, meta: DocumentMeta, data: DocumentFields): DocumentItem {
  const item: DocumentItem = {
    ...documentKey(collection.name, meta.id),
    entity: ENTITY.document,
    collection: collection.name,
    ...meta,
    data,
    [FIXED_INDEXES.byOwnerCreated.partition]: ownerPartition(collection.name, meta.owner),
    [FIXED_INDEXES.byCollection.partition]: collection.name,
  };
  for (const index of collection.indexes) {
    const partitionValue = data[index.partition];
    if (partitionValue === undefined || partitionValue === null) continue; // sparse: not in this index
    const sortValue = index.sort === 'createdAt' || index.sort === 'updatedAt' ? meta[index.sort] : data[index.sort];
    if (sortValue === undefined || sortValue === null) continue;
    const slot = indexSlot(index.slot);
    item[slot.partition] = indexPartition(collection.name, index, partitionValue);
    item[slot.sort] = encodeKeyValue(sortValue);
  }
  for (const index of collection.geoIndexes) {
    const at = data[index.field];
    const partitionValue = index.partition === undefined ? undefined : data[index.partition];
    if (!isPoint(at) || (index.partition !== undefined && (partitionValue === undefined || partitionValue === null))) continue;
    const slot = indexSlot(index.slot);
    const keys = geoKeys(geoIndexPrefix(collection.name, index, partitionValue), at, meta.id);
    item[slot.partition] = keys.partition;
    item[slot.sort] = keys.sort;
  }
  if (collection.ttl && typeof data[collection.ttl] === 'string') {
    item[TTL_ATTRIBUTE] = Math.floor(Date.parse(data[collection.ttl] as string) / 1000);
  }
  return item;
}

export function toDocument(item: DocumentItem): Document {
  return { ...item.data, id: item.id, owner: item.owner, createdAt: item.createdAt, updatedAt: item.updatedAt, version: item.version };
}

/** Whether DynamoDB TTL would already have removed the item (it deletes lazily, days later). */
export function isExpired(item: { ttl?: number }, now: Date): boolean {
  return item.ttl !== undefined && item.ttl <= Math.floor(now.getTime() / 1000);
}

/**
 * Index keys are strings that sort like their values: strings as they are, numbers in an
 * order-preserving hex form of their IEEE-754 bits, booleans as "false"/"true".
 */
export function encodeKeyValue(value: unknown): string {
  if (typeof value === 'number') {
    const buffer = Buffer.alloc(8);
    buffer.writeDoubleBE(value === 0 ? 0 : value); // -0 sorts as 0
    if (value < 0) for (let i = 0; i < 8; i++) buffer[i] = ~buffer[i]! & 0xff;
    else buffer[0] = buffer[0]! | 0x80;
    return `n${buffer.toString('hex')}`;
  }
  return String(value);
}
