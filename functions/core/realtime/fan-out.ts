/**
 * The fan-out: one committed change → a frame to each subscriber that may see it. Subscribers are
 * found with Queries on their group's partition (never a scan); each one is judged on its own, as
 * `GET /data/{collection}/{id}` would judge it — the collection's `read` rule through `mayAccess`,
 * expiry through `isExpired`, the document through `toDocument` — and by its `where` (after the
 * change, or before it for `updated` and `deleted`). Frames go out with bounded concurrency; a
 * connection API Gateway reports gone is deleted with its subscriptions.
 *
 * Delivery is at most once: a failure after the first frame went out is reported, never retried
 * (a retry would send the earlier frames twice). A failure before it is thrown as
 * {@link FanOutError} with `started: false`, and the stream trigger lets Lambda retry the change.
 *
 * @example
 * const stats = await fanOut(deps, { kind: 'document', event: 'updated', collection: 'notes', before, after });
 */
import pMap from 'p-map';
import { mayAccess } from '../config/access-rules.js';
import { isExpired, toDocument, type DocumentItem } from '../documents/document-item.js';
import type { InboxItem } from '../push/push-ports.js';
import {
  frameBytes,
  hasExpired,
  MAX_FRAME_BYTES,
  type ChangeEvent,
  type RealtimeCaller,
  type Scalar,
  type ServerFrame,
  type Subscription,
} from './realtime-protocol.js';
import type { RealtimeDependencies, SubscriberGroup } from './realtime-ports.js';
import { collectionNamed, expireCaller, mayHold } from './subscriptions.js';

/**
 * Frames in flight at once: the SDK's default socket pool (50 per host), so no post waits for a
 * socket. A page of subscribers is posted before the next page is read.
 */
export const POST_CONCURRENCY = 50;

/** A committed change the fan-out cares about, decoded from the table's stream. */
export type TableChange =
  | { kind: 'document'; event: ChangeEvent; collection: string; before?: DocumentItem; after?: DocumentItem }
  | { kind: 'notification'; userId: string; notification: InboxItem };

/** What one change cost: Query pages read, subscriptions judged, frames posted, connections found gone. */
export type FanOutStats = { pages: number; subscribers: number; posts: number; gone: number };

export type FanOutDependencies = RealtimeDependencies & {
  /** One subscriber's delivery failed (after the SDK's retries): reported, not retried. */
  onDeliveryFailure?: (connectionId: string, error: unknown) => void;
};

/** Reading subscribers failed; `started` says whether frames had already gone out for this change. */
export class FanOutError extends Error {
  constructor(
    readonly started: boolean,
    options: { cause: unknown },
  ) {
    super(`The fan-out failed ${started ? 'part-way' : 'before any delivery'}.`, options);
    this.name = 'FanOutError';
  }
}

export async function fanOut(deps: FanOutDependencies, change: TableChange): Promise<FanOutStats> {
  const stats: FanOutStats = { pages: 0, subscribers: 0, posts: 0, gone: 0 };
  const now = deps.clock.now();
  const closed = new Set<string>();
  const deliver = async (subscription: Subscription) => {
    try {
      const frame = await frameFor(deps, subscription, change, now);
      if (!frame || closed.has(subscription.connectionId)) return;
      if ((await deps.messenger.post(subscription.connectionId, frame)) === 'sent') {
        stats.posts++;
        return;
      }
      if (closed.has(subscription.connectionId)) return;
      closed.add(subscription.connectionId);
      stats.gone++;
      await deps.connections.close(subscription.connectionId);
    } catch (error) {
      deps.onDeliveryFailure?.(subscription.connectionId, error);
    }
  };
  for (const group of groupsOf(change)) {
    let after: string | undefined;
    do {
      let page: Awaited<ReturnType<typeof deps.connections.subscribers>>;
      try {
        page = await deps.connections.subscribers(group, { after, now });
      } catch (error) {
        throw new FanOutError(stats.posts > 0 || stats.gone > 0, { cause: error });
      }
      stats.pages++;
      stats.subscribers += page.items.length;
      await pMap(page.items, deliver, { concurrency: POST_CONCURRENCY });
      after = page.after;
    } while (after !== undefined);
  }
  return stats;
}

/** Where a change's subscribers are: a document's collection and the document itself; a notification's user. */
function groupsOf(change: TableChange): SubscriberGroup[] {
  if (change.kind === 'notification') return [{ inboxOf: change.userId }];
  const id = (change.after ?? change.before)!.id;
  return [{ collection: change.collection }, { collection: change.collection, docId: id }];
}

/** The frame `subscription` gets for `change`, or none when it may not see it. */
async function frameFor(deps: FanOutDependencies, subscription: Subscription, change: TableChange, now: Date): Promise<ServerFrame | undefined> {
  let caller: RealtimeCaller | undefined = subscription.caller;
  if (caller && hasExpired(caller, now)) {
    // The token expired since: the connection becomes anonymous now (ending what it may no longer hold).
    await expireCaller(deps, subscription.connectionId, caller);
    caller = undefined;
    if (!mayHold(deps.backend, subscription.target, caller)) return undefined;
  }
  return change.kind === 'notification' ? notificationFrame(subscription, caller, change) : changeFrame(deps, subscription, caller, change, now);
}

function changeFrame(
  deps: FanOutDependencies,
  subscription: Subscription,
  caller: RealtimeCaller | undefined,
  change: Extract<TableChange, { kind: 'document' }>,
  now: Date,
): ServerFrame | undefined {
  const { target } = subscription;
  if ('channel' in target) return undefined;
  const collection = collectionNamed(deps.backend, change.collection);
  const item = change.after ?? change.before;
  if (!collection || !item || target.collection !== collection.name) return undefined;
  if (!mayAccess(collection.access.read, caller, deps.backend.auth.adminGroup, item.owner)) return undefined;
  // GET answers 404 for a document past its TTL field: so does the fan-out.
  if (change.after && isExpired(change.after, now)) return undefined;
  if (target.docId !== undefined && target.docId !== item.id) return undefined;
  if (target.where && ![change.before, change.after].some((image) => image && matches(image, target.where!))) return undefined;
  const document = change.event === 'deleted' ? { id: item.id } : toDocument(change.after!);
  const frame: ServerFrame = { type: 'change', id: subscription.id, event: change.event, document };
  return frameBytes(frame) <= MAX_FRAME_BYTES ? frame : { ...frame, document: { id: item.id }, truncated: true };
}

function notificationFrame(
  subscription: Subscription,
  caller: RealtimeCaller | undefined,
  change: Extract<TableChange, { kind: 'notification' }>,
): ServerFrame | undefined {
  if (!('channel' in subscription.target) || caller?.userId !== change.userId) return undefined;
  const frame: ServerFrame = { type: 'notification', id: subscription.id, notification: change.notification };
  return frameBytes(frame) <= MAX_FRAME_BYTES
    ? frame
    : { ...frame, notification: { notificationId: change.notification.notificationId }, truncated: true };
}

/** `where` holds equalities only: every named field equals its value (server fields included). */
function matches(item: DocumentItem, where: Record<string, Scalar>): boolean {
  const document = toDocument(item);
  return Object.entries(where).every(([field, value]) => document[field] === value);
}

/** One stream record: its sequence number (Lambda's item identifier) and the change it holds, if any. */
export type StreamedChange = { sequence: string; change: TableChange | undefined };

/**
 * A batch of records, one at a time in stream order, so two changes of one document reach each
 * subscriber in the order they were committed (parallelism comes from Lambda's per-shard
 * parallelization, which keeps each key's order). A record whose fan-out failed before any
 * delivery stops the batch: `retryFrom` names it, and Lambda retries from there.
 */
export async function fanOutInOrder(
  deps: FanOutDependencies & { onChangeFailure?: (sequence: string, error: unknown) => void },
  records: readonly StreamedChange[],
): Promise<{ retryFrom?: string; stats: FanOutStats & { changes: number } }> {
  const total = { changes: 0, pages: 0, subscribers: 0, posts: 0, gone: 0 };
  for (const { sequence, change } of records) {
    if (!change) continue;
    try {
      const stats = await fanOut(deps, change);
      total.changes++;
      total.pages += stats.pages;
      total.subscribers += stats.subscribers;
      total.posts += stats.posts;
      total.gone += stats.gone;
    } catch (error) {
      deps.onChangeFailure?.(sequence, error);
      if (!(error instanceof FanOutError) || !error.started) return { retryFrom: sequence, stats: total };
    }
  }
  return { stats: total };
}
