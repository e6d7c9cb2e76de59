/**
 * Pages of one owner's items, newest first (the byOwnerCreated index): a position is the last
 * item's `createdAt` and id, carried in a signed cursor bound to the list and the caller.
 *
 * @example
 * const after = positionOf(await cursors(), query.cursor, { list: 'devices', caller: userId });
 * const page = await store.listByOwner(userId, { limit, after });
 * return { items, nextCursor: cursorOf(await cursors(), page.next, scope) };
 */
import * as z from '../zod.js';
import { ValidationError } from '../errors.js';
import type { PageCursors } from './cursor.js';

/** Where a list of one owner's items stopped. */
export type OwnerPosition = { createdAt: string; id: string };
export type OwnerPage<T> = { items: T[]; next: OwnerPosition | undefined };

// Built in a call marked pure: esbuild cannot tell that `.check()` changes nothing, so it would
// keep this schema (and zod's code for it) in every bundle that pages an owner's items, the
// account erasers included, though only a list route parses a cursor.
const positionSchema = /* @__PURE__ */ (() =>
  z.strictObject({ c: z.string().check(z.minLength(1), z.maxLength(64)), i: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/)) }))();

/** The position in `cursor` (none without one); 400 when the cursor is not one of this list's. */
export function positionOf(cursors: PageCursors, cursor: string | undefined, scope: unknown): OwnerPosition | undefined {
  if (cursor === undefined) return undefined;
  const position = positionSchema.safeParse(cursors.decode(cursor, scope));
  // Signed by us for this caller, yet not a position of this kind: a cursor of another list.
  if (!position.success) throw new ValidationError('The cursor is not valid for this list.', { details: [{ path: 'cursor', message: 'Invalid cursor' }] });
  return { createdAt: position.data.c, id: position.data.i };
}

/** The cursor of the next page, or null when there is none. */
export function cursorOf(cursors: PageCursors, next: OwnerPosition | undefined, scope: unknown): string | null {
  return next ? cursors.encode({ c: next.createdAt, i: next.id }, scope) : null;
}

/** Every item of an owner, page after page (export, erasure). */
export async function allPages<T>(read: (after: OwnerPosition | undefined) => Promise<OwnerPage<T>>): Promise<T[]> {
  const items: T[] = [];
  let after: OwnerPosition | undefined;
  do {
    const page = await read(after);
    items.push(...page.items);
    after = page.next;
  } while (after);
  return items;
}
