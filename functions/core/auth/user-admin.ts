/**
 * User administration, for members of the admin group only (everyone else: 403 Forbidden).
 * Users are named by their `userId`; an unknown user is 404.
 */
import pMap from 'p-map';
import type { Caller } from '../config/access-rules.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import type { CursorPosition, PageCursors } from '../pagination/cursor.js';
import type { UserDirectory } from './ports.js';

export type AdminDeps = { directory: UserDirectory; adminGroup: string };

export type AdminUser = { userId: string; email: string; enabled: boolean; groups: string[]; createdAt: string };

/** Group look-ups run this many at a time, to stay inside the provider's request rate. */
const GROUP_LOOKUP_CONCURRENCY = 8;

export function assertAdmin(caller: Caller, adminGroup: string): void {
  if (!caller.groups.includes(adminGroup)) throw new ForbiddenError(`Only members of the ${adminGroup} group may do this.`);
}

/** What listing users needs beyond the other admin routes: signed page cursors. */
export type ListUsersDeps = AdminDeps & { cursors: () => Promise<PageCursors> };

/**
 * A page of users with their groups. A user deleted between the listing and the group look-up is
 * left out; a page never comes back empty while more users exist.
 */
export async function listUsers(
  deps: ListUsersDeps,
  caller: Caller,
  page: { limit: number; cursor?: string },
): Promise<{ items: AdminUser[]; nextCursor: string | null }> {
  assertAdmin(caller, deps.adminGroup);
  const cursors = await deps.cursors();
  // The cursor is bound to the caller: another admin's cursor, or an altered one, is refused.
  const scope = { list: 'admin-users', caller: caller.userId };
  let token = page.cursor === undefined ? undefined : providerToken(cursors.decode(page.cursor, scope));
  let items: AdminUser[];
  let fromCursor = token !== undefined;
  do {
    const listed = await listPage(deps.directory, page.limit, token, fromCursor);
    fromCursor = false;
    const found = await pMap(
      listed.users,
      async (user): Promise<AdminUser | undefined> => {
        const groups = await groupsIfPresent(deps.directory, user.userId);
        if (!groups) return undefined;
        return { userId: user.userId, email: user.email, enabled: user.enabled, groups, createdAt: user.createdAt };
      },
      { concurrency: GROUP_LOOKUP_CONCURRENCY },
    );
    items = found.filter((item): item is AdminUser => item !== undefined);
    token = listed.nextToken;
  } while (items.length === 0 && token !== undefined);
  return { items, nextCursor: token === undefined ? null : cursors.encode({ token }, scope) };
}

export async function addUserToGroup(deps: AdminDeps, caller: Caller, target: { userId: string; group: string }): Promise<void> {
  assertAdmin(caller, deps.adminGroup);
  await deps.directory.addToGroup(target.userId, target.group);
}

export async function removeUserFromGroup(deps: AdminDeps, caller: Caller, target: { userId: string; group: string }): Promise<void> {
  assertAdmin(caller, deps.adminGroup);
  await deps.directory.removeFromGroup(target.userId, target.group);
}

/** A disabled user can no longer sign in or refresh; the provider revokes their tokens. */
export async function disableUser(deps: AdminDeps, caller: Caller, target: { userId: string }): Promise<void> {
  assertAdmin(caller, deps.adminGroup);
  await deps.directory.disable(target.userId);
}

export async function enableUser(deps: AdminDeps, caller: Caller, target: { userId: string }): Promise<void> {
  assertAdmin(caller, deps.adminGroup);
  await deps.directory.enable(target.userId);
}

function providerToken(position: CursorPosition): string {
  const token = position.token;
  // Only a cursor signed by us gets here, so this is our own format changing under a live cursor.
  if (typeof token !== 'string' || token === '') throw invalidCursor();
  return token;
}

async function listPage(directory: UserDirectory, limit: number, token: string | undefined, fromCursor: boolean) {
  try {
    return await directory.listUsers({ limit, token });
  } catch (error) {
    // The provider refuses a paging token it no longer honours (e.g. one that has expired).
    if (fromCursor && error instanceof ValidationError) throw invalidCursor(error);
    throw error;
  }
}

/** The user's groups, or `undefined` when the user is gone (deleted since the listing). */
async function groupsIfPresent(directory: UserDirectory, userId: string): Promise<string[] | undefined> {
  try {
    return await directory.groupsOf(userId);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

function invalidCursor(cause?: unknown): ValidationError {
  const message = 'The cursor is not valid: use the nextCursor of the previous page, unchanged.';
  return new ValidationError(message, { details: [{ path: 'cursor', message }], cause });
}
