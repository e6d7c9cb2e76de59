/**
 * The table's stream records (as Lambda delivers them; DynamoDB JSON images) as the plain changes
 * core reads. The stream has two readers, and each reads them its own way:
 * - the event dispatcher (`toTableChange`): every record, images unmarshalled, the TTL sweeper's
 *   removals told apart (functions/core/events);
 * - the realtime fan-out (`tableChangeOf`): a document created, updated or deleted (TTL expiry
 *   included), or a new inbox item; records of any other item are not changes anyone subscribes to
 *   (functions/core/realtime).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DocumentItem } from '../core/documents/document-item.js';
import type { StreamEventName, TableChange } from '../core/events/table-events.js';
import type { TableChange as RealtimeChange } from '../core/realtime/fan-out.js';
import { NOTIFICATION_ENTITY, toInboxItem, type InboxTableItem } from './dynamodb-inbox-store.js';

/** The parts of Lambda's DynamoDB stream record that a change is made of. */
export type StreamRecord = {
  eventID?: string;
  eventName?: string;
  userIdentity?: { type?: string; principalId?: string };
  dynamodb?: {
    SequenceNumber?: string;
    ApproximateCreationDateTime?: number;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
  };
};

/** DynamoDB's TTL sweeper signs its removals this way (AWS: "Working with streams and TTL"). */
const TTL_SWEEPER = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };

function imageOf(image: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return image ? unmarshall(image as Record<string, AttributeValue>, { wrapNumbers: false }) : undefined;
}

/** A record as the event dispatcher reads it. */
export function toTableChange(record: StreamRecord): TableChange {
  const dynamodb = record.dynamodb ?? {};
  return {
    eventId: record.eventID ?? '',
    sequenceNumber: dynamodb.SequenceNumber ?? '',
    eventName: record.eventName as StreamEventName,
    before: imageOf(dynamodb.OldImage),
    after: imageOf(dynamodb.NewImage),
    expired: record.userIdentity?.type === TTL_SWEEPER.type && record.userIdentity.principalId === TTL_SWEEPER.principalId,
    at: new Date((dynamodb.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000),
  };
}

const DOCUMENT_EVENTS = { INSERT: 'created', MODIFY: 'updated', REMOVE: 'deleted' } as const;

/** A record as the realtime fan-out reads it, or undefined when it is no news to subscribers. */
export function tableChangeOf(record: StreamRecord): RealtimeChange | undefined {
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
