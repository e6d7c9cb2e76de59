/**
 * The events user functions receive (docs/api/functions.md), which function each one is for, and
 * how an event is kept within what an asynchronous invocation (and its failure destination) takes.
 * Pure: no AWS.
 *
 * Delivery is at least once and unordered across documents; every event carries an `eventId` that
 * stays the same across redeliveries, so a function can be idempotent.
 */
import type { Document } from '../documents/document-item.js';
import type { EventTrigger } from '../config/function-kinds.js';
import type { FileView } from '../storage/file-record.js';

type EventBase = {
  /** The same for every delivery of this event (the table stream record's id, or the schedule and its time). */
  eventId: string;
  /** When the change was committed (ISO-8601). */
  occurredAt: string;
};

/**
 * Set when the documents did not fit in the event (over {@link MAX_EVENT_BYTES}): they then
 * carry only their `id`; read them with `ctx.documents.get`.
 */
type Truncation = { truncated?: true };

export type DocumentCreatedEvent<D = Document> = EventBase & Truncation & { type: 'documentCreated'; collection: string; document: D };
export type DocumentUpdatedEvent<D = Document> = EventBase & Truncation & { type: 'documentUpdated'; collection: string; before: D; after: D };
export type DocumentDeletedEvent<D = Document> = EventBase &
  Truncation & {
    type: 'documentDeleted';
    collection: string;
    /** The document as it was. */
    document: D;
    /** Removed by the collection's TTL (DynamoDB deletes expired items lazily) rather than by a request. */
    expired: boolean;
  };

/** A file whose upload S3 received and Lambase checked (its record turned `ready`). */
export type UploadedFile = FileView & { owner: string };
export type FileUploadedEvent = EventBase & { type: 'fileUploaded'; file: UploadedFile };

/** A user who confirmed their sign-up (their profile record was created). */
export type SignedUpUser = { userId: string; email: string; name?: string; createdAt: string };
export type UserSignedUpEvent = EventBase & { type: 'userSignedUp'; user: SignedUpUser };

/**
 * A user's reported point (`PUT /me/location`) entered or left a fence: one event per fence and
 * transition. `fence` is the fence document as it was when the location was reported; it is
 * `null` when the fence had been deleted by then (only an exit can find it gone) or did not fit
 * in the event (`truncated`): read it with `ctx.documents.get(collection, fenceId)`.
 */
export type GeofenceEvent<D = Document> = EventBase &
  Truncation & {
    type: 'geofenceEntered' | 'geofenceExited';
    /** The geofence collection. */
    collection: string;
    userId: string;
    fenceId: string;
    fence: D | null;
    /** The reported point. */
    point: { lat: number; lng: number };
  };
export type GeofenceEnteredEvent<D = Document> = GeofenceEvent<D> & { type: 'geofenceEntered' };
export type GeofenceExitedEvent<D = Document> = GeofenceEvent<D> & { type: 'geofenceExited' };

export type ScheduledEvent = EventBase & { type: 'scheduled'; schedule: string; scheduledAt: string };

export type DocumentEvent<D = Document> = DocumentCreatedEvent<D> | DocumentUpdatedEvent<D> | DocumentDeletedEvent<D>;
/** Every event the table's stream turns into (the event dispatcher's output). */
export type TableEvent = DocumentEvent | FileUploadedEvent | UserSignedUpEvent | GeofenceEvent;
export type LambaseEvent = TableEvent | ScheduledEvent;

/**
 * What a schedule sends its function, in the cloud (EventBridge Scheduler fills in the time) and
 * locally alike; the function turns it into a {@link ScheduledEvent}.
 */
export type ScheduleInput = { type: 'scheduled'; schedule: string; scheduledAt: string };

export function scheduledEvent(input: ScheduleInput): ScheduledEvent {
  // The schedule and its time name one firing: Lambda's retries of it keep the same id.
  return { ...input, eventId: `${input.schedule}@${input.scheduledAt}`, occurredAt: input.scheduledAt };
}

/** One function's interest in events: `functionName` is what the invoker calls (its deployed name). */
export type EventSubscription = { name: string; functionName: string; on: EventTrigger };

/** Whether `event` is one `on` asks for: its kind, its collection, and every `where` equality. */
export function matchesTrigger(on: EventTrigger, event: TableEvent): boolean {
  if (on.event !== event.type) return false;
  if (!('collection' in on) || on.collection === undefined) return true;
  if (!('collection' in event) || event.collection !== on.collection) return false;
  if (event.type === 'geofenceEntered' || event.type === 'geofenceExited' || !('where' in on)) return true;
  const document: Record<string, unknown> = event.type === 'documentUpdated' ? event.after : 'document' in event ? event.document : {};
  return Object.entries(on.where ?? {}).every(([field, value]) => document[field] === value);
}

/**
 * The largest event sent whole: a documentUpdated event holds two documents of up to 350 KB each,
 * and an asynchronous invocation's failure destination (an SQS message) takes 256 KiB.
 */
export const MAX_EVENT_BYTES = 256 * 1024;

/** `event` as it is sent: whole when it fits, else with its documents reduced to their ids. */
export function fitForDelivery<E extends LambaseEvent>(event: E): E {
  if (Buffer.byteLength(JSON.stringify(event)) <= MAX_EVENT_BYTES) return event;
  const idOnly = (document: Document) => ({ id: document.id }) as Document;
  switch (event.type) {
    case 'documentCreated':
    case 'documentDeleted':
      return { ...event, document: idOnly(event.document), truncated: true };
    case 'documentUpdated':
      return { ...event, before: idOnly(event.before), after: idOnly(event.after), truncated: true };
    case 'geofenceEntered':
    case 'geofenceExited':
      return { ...event, fence: null, truncated: true };
    default:
      return event;
  }
}
