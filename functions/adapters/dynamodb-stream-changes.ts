/**
 * The table's stream records (DynamoDB JSON images) as the changes the realtime fan-out handles:
 * a document created, updated or deleted (TTL expiry included), or a new inbox item. Records of
 * any other item are not changes anyone subscribes to.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DocumentItem } from '../core/documents/document-item.js';
import type { TableChange } from '../core/realtime/fan-out.js';
import { NOTIFICATION_ENTITY, toInboxItem, type InboxTableItem } from './dynamodb-inbox-store.js';

/** The part of a stream record (as Lambda delivers it) this reads. */
export type StreamRecordLike = {
  eventName?: string;
  dynamodb?: { NewImage?: Record<string, unknown>; OldImage?: Record<string, unknown> };
};

const DOCUMENT_EVENTS = { INSERT: 'created', MODIFY: 'updated', REMOVE: 'deleted' } as const;

export function tableChangeOf(record: StreamRecordLike): TableChange | undefined {
  const after = imageOf(record.dynamodb?.NewImage);
  const before = imageOf(record.dynamodb?.OldImage);
  const image = after ?? before;
  const event = DOCUMENT_EVENTS[record.eventName as keyof typeof DOCUMENT_EVENTS];
  if (!image || !event) return undefined;
  if (image.entity === 'document') {
    return { kind: 'document', event, collection: String(image.collection), ...(before ? { before: before as DocumentItem } : {}), ...(after ? { after: after as DocumentItem } : {}) };
  }
  // A new notification only: marking it read, or a retried send overwriting it, is no news.
  if (image.entity === NOTIFICATION_ENTITY && event === 'created') {
    const item = image as InboxTableItem;
    return { kind: 'notification', userId: item.owner, notification: toInboxItem(item) };
  }
  return undefined;
}

function imageOf(image: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return image ? unmarshall(image as Record<string, AttributeValue>) : undefined;
}
