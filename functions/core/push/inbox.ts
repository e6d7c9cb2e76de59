/**
 * The inbox: every notification sent to a user, device or not, for 90 days. Items are keyed by
 * their user, so another user's notification id is simply not found (404). DynamoDB deletes
 * expired items only lazily, so every read that takes `now` treats an item past its expiry as gone.
 */
import type { Caller } from '../config/access-rules.js';
import { NotFoundError } from '../errors.js';
import { allPages, cursorOf, positionOf, type OwnerPosition } from '../pagination/owner-pages.js';
import type { InboxItem, PushDependencies } from './push-ports.js';

/** How long an inbox item lives. */
export const INBOX_RETENTION_DAYS = 90;
const PAGE_SIZE = 100;

/** An inbox item as the API shows it. */
export type InboxView = InboxItem;

/** When an item written at `at` expires. */
export function inboxExpiry(at: Date): Date {
  return new Date(at.getTime() + INBOX_RETENTION_DAYS * 24 * 60 * 60 * 1000);
}

/** GET /notifications: the caller's inbox, newest first. */
export async function listInbox(
  deps: Pick<PushDependencies, 'inbox' | 'cursors' | 'clock'>,
  caller: Caller,
  page: { limit: number; cursor?: string },
): Promise<{ items: InboxView[]; nextCursor: string | null }> {
  const scope = { list: 'notifications', caller: caller.userId };
  const after = page.cursor === undefined ? undefined : positionOf(await deps.cursors(), page.cursor, scope);
  const { items, next } = await deps.inbox.listByOwner(caller.userId, { limit: page.limit, after, now: deps.clock.now() });
  return { items, nextCursor: next ? cursorOf(await deps.cursors(), next, scope) : null };
}

/** POST /notifications/{notificationId}/read. Marking it again is fine; another user's id is 404. */
export async function markRead(deps: Pick<PushDependencies, 'inbox' | 'clock'>, caller: Caller, notificationId: string): Promise<void> {
  if (!(await deps.inbox.markRead(caller.userId, notificationId, deps.clock.now()))) throw new NotFoundError('No such notification.');
}

/** For GET /me/export: the live items, newest first. */
export function exportInbox(deps: Pick<PushDependencies, 'inbox' | 'clock'>, userId: string): Promise<InboxView[]> {
  const now = deps.clock.now();
  return allPages((after) => deps.inbox.listByOwner(userId, { limit: PAGE_SIZE, after, now }));
}

/** For DELETE /me: every item, expired ones too, page by page. Safe to run again. */
export async function eraseInbox(deps: Pick<PushDependencies, 'inbox'>, userId: string): Promise<void> {
  let after: OwnerPosition | undefined;
  do {
    const page = await deps.inbox.listAllByOwner(userId, { limit: PAGE_SIZE, after });
    if (page.items.length > 0) await deps.inbox.deleteMany(userId, page.items.map((item) => item.notificationId));
    after = page.next;
  } while (after);
}
