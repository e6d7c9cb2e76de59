/**
 * How committed table changes become Lambase events (the event dispatcher reads the table's
 * stream), and the Lambda event filters that let through only the changes some function wants.
 * Both follow the item layout of ARCHITECTURE.md: the `entity` attribute tells item kinds apart.
 * Pure: the adapter hands changes over as plain items (functions/adapters/dynamodb-stream-changes.ts).
 *
 * | event            | stream record                                                     |
 * |------------------|-------------------------------------------------------------------|
 * | documentCreated  | INSERT of a document                                              |
 * | documentUpdated  | MODIFY of a document                                              |
 * | documentDeleted  | REMOVE of a document (by a request, or by TTL: `expired`)         |
 * | fileUploaded     | MODIFY of a file record from `pending` to `ready` (the S3 trigger) |
 * | userSignedUp     | INSERT of a profile (the post-confirmation trigger)               |
 * | geofenceEntered, | INSERT of a geofence event item (`PUT /me/location`): one event   |
 * | geofenceExited   | per transition it lists                                           |
 */
import type { DocumentEventKind, EventTrigger } from '../config/function-kinds.js';
import { toDocument, type DocumentItem } from '../documents/document-item.js';
import { toFileView, type LiveFileRecord } from '../storage/file-record.js';
import { ENTITY } from '../table-design.js';
import type { GeofenceEventRecord } from '../geo/user-location.js';
import type { TableEvent } from './lambase-events.js';

export type StreamEventName = 'INSERT' | 'MODIFY' | 'REMOVE';

/** One committed change of one item, its images as plain values. */
export type TableChange = {
  /** The stream record's id: the event's `eventId`. */
  eventId: string;
  /** Its place in the shard: what a partial batch failure names. */
  sequenceNumber: string;
  eventName: StreamEventName;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  /** Removed by DynamoDB's TTL sweeper rather than by a request. */
  expired: boolean;
  at: Date;
};

const DOCUMENT_EVENTS: Record<StreamEventName, DocumentEventKind> = {
  INSERT: 'documentCreated',
  MODIFY: 'documentUpdated',
  REMOVE: 'documentDeleted',
};

/** The events a change raises: one per transition for a geofence event item, else at most one. */
export function eventsOf(change: TableChange): TableEvent[] {
  if (change.after?.entity === ENTITY.geofenceEvent) {
    if (change.eventName !== 'INSERT') return [];
    const record = change.after as GeofenceEventRecord;
    // The ids come from the stored item, so a redelivered record raises the same events.
    return record.transitions.map((transition) => ({
      eventId: `${record.eventId}:${transition.type}:${transition.collection}:${transition.fenceId}`,
      occurredAt: record.createdAt,
      type: transition.type,
      collection: transition.collection,
      userId: record.userId,
      fenceId: transition.fenceId,
      fence: transition.fence ?? null,
      point: record.point,
      ...(record.truncated ? { truncated: true as const } : {}),
    }));
  }
  const event = eventOf(change);
  return event ? [event] : [];
}

/** The event a change raises, if any (geofence event items: {@link eventsOf}). */
export function eventOf(change: TableChange): TableEvent | undefined {
  const base = { eventId: change.eventId, occurredAt: change.at.toISOString() };
  const item = change.after ?? change.before;
  switch (item?.entity) {
    case ENTITY.document: {
      const collection = String(item.collection);
      const kind = DOCUMENT_EVENTS[change.eventName];
      if (kind === 'documentCreated') return { ...base, type: kind, collection, document: toDocument(change.after as DocumentItem) };
      if (kind === 'documentDeleted') {
        return { ...base, type: kind, collection, document: toDocument(change.before as DocumentItem), expired: change.expired };
      }
      return { ...base, type: kind, collection, before: toDocument(change.before as DocumentItem), after: toDocument(change.after as DocumentItem) };
    }
    case ENTITY.file: {
      if (change.eventName !== 'MODIFY' || change.before?.status !== 'pending' || change.after?.status !== 'ready') return undefined;
      // The stored item names its owner `owner` (functions/adapters/dynamodb-file-record-store.ts), not `ownerId`.
      const record = change.after as Omit<LiveFileRecord, 'ownerId'> & { owner: string };
      return { ...base, type: 'fileUploaded', file: { ...toFileView({ ...record, ownerId: record.owner }), owner: record.owner } };
    }
    case ENTITY.profile: {
      if (change.eventName !== 'INSERT') return undefined;
      const profile = change.after as { userId: string; email: string; name?: string; createdAt: string };
      return {
        ...base,
        type: 'userSignedUp',
        user: { userId: profile.userId, email: profile.email, ...(profile.name ? { name: profile.name } : {}), createdAt: profile.createdAt },
      };
    }
    default:
      return undefined;
  }
}

/** A Lambda event-filter pattern (`{ key: [values…] }`, nested), as the event source mapping takes it. */
export type StreamFilter = { [key: string]: StreamFilter | readonly unknown[] };

/** Lambda's default quota of filters per event source mapping. */
export const MAX_STREAM_FILTERS = 5;

const text = (...values: string[]) => ({ S: values });

/**
 * The filters (OR-ed) letting through exactly the changes that raise an event some function is
 * on: per document event, the collections asked for; a file turning `ready`; a new profile. The
 * `where` equalities are checked per function by the dispatcher, not here. Past the quota, the
 * created and updated filters are merged (the dispatcher then drops the extra records).
 */
export function streamFilters(triggers: readonly EventTrigger[]): StreamFilter[] {
  const collections = (kind: DocumentEventKind) => [
    ...new Set(triggers.flatMap((on) => (on.event === kind && 'collection' in on ? [on.collection] : []))),
  ];
  const documentImage = (names: string[]) => ({ entity: text(ENTITY.document), collection: text(...names) });
  const filters: StreamFilter[] = [];
  const created = collections('documentCreated');
  const updated = collections('documentUpdated');
  const deleted = collections('documentDeleted');
  const platform: StreamFilter[] = [];
  if (triggers.some((on) => on.event === 'fileUploaded')) {
    platform.push({
      eventName: ['MODIFY'],
      dynamodb: { OldImage: { entity: text(ENTITY.file), status: text('pending') }, NewImage: { status: text('ready') } },
    });
  }
  if (triggers.some((on) => on.event === 'userSignedUp')) {
    platform.push({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: text(ENTITY.profile) } } });
  }
  // Both geofence kinds (and any collection) share one filter: the item lists its transitions.
  if (triggers.some((on) => on.event === 'geofenceEntered' || on.event === 'geofenceExited')) {
    platform.push({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: text(ENTITY.geofenceEvent) } } });
  }
  const separate = [created, updated, deleted].filter((names) => names.length > 0).length + platform.length;
  if (separate > MAX_STREAM_FILTERS && created.length > 0 && updated.length > 0) {
    filters.push({ eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: documentImage([...new Set([...created, ...updated])]) } });
  } else {
    if (created.length) filters.push({ eventName: ['INSERT'], dynamodb: { NewImage: documentImage(created) } });
    if (updated.length) filters.push({ eventName: ['MODIFY'], dynamodb: { NewImage: documentImage(updated) } });
  }
  if (deleted.length) filters.push({ eventName: ['REMOVE'], dynamodb: { OldImage: documentImage(deleted) } });
  return [...filters, ...platform];
}
