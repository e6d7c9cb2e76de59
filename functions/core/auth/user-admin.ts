/**
 * User administration, for members of the admin group only (everyone else: 403 Forbidden).
 * Users are named by their `userId`; an unknown user is 404.
 */
import type { Caller } from '../config/access-rules.js';
import { ForbiddenError, ValidationError } from '../errors.js';
import type { UserDirectory } from './ports.js';

export type AdminDeps = { directory: UserDirectory; adminGroup: string };

export type AdminUser = { userId: string; email: string; enabled: boolean; groups: string[]; createdAt: string };

/** Group look-ups run this many at a time, to stay inside the provider's request rate. */
const GROUP_LOOKUP_CONCURRENCY = 8;

export function assertAdmin(caller: Caller, adminGroup: string): void {
  if (!caller.groups.includes(adminGroup)) throw new ForbiddenError(`Only members of the ${adminGroup} group may do this.`);
}

export async function listUsers(
  deps: AdminDeps,
  caller: Caller,
  page: { limit: number; cursor?: string },
): Promise<{ items: AdminUser[]; nextCursor: string | null }> {
  assertAdmin(caller, deps.adminGroup);
  const token = page.cursor === undefined ? undefined : readUsersCursor(page.cursor);
  let listed;
  try {
    listed = await deps.directory.listUsers({ limit: page.limit, token });
  } catch (error) {
    // The provider refuses a paging token that was not its own.
    if (token !== undefined && error instanceof ValidationError) throw invalidCursor(error);
    throw error;
  }
  const items = await mapConcurrently(listed.users, GROUP_LOOKUP_CONCURRENCY, async (user) => ({
    userId: user.userId,
    email: user.email,
    enabled: user.enabled,
    groups: await deps.directory.groupsOf(user.userId),
    createdAt: user.createdAt,
  }));
  return { items, nextCursor: listed.nextToken === undefined ? null : usersCursor(listed.nextToken) };
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

// The cursor wraps the provider's paging token, which the provider itself authenticates; a
// version tag lets the format change without breaking the check.
const CURSOR_VERSION = 1;

export function usersCursor(token: string): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, t: token })).toString('base64url');
}

export function readUsersCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown; t?: unknown };
    if (parsed.v === CURSOR_VERSION && typeof parsed.t === 'string' && parsed.t !== '') return parsed.t;
  } catch {
    // not JSON: fall through
  }
  throw invalidCursor();
}

function invalidCursor(cause?: unknown): ValidationError {
  const message = 'The cursor is not valid: use the nextCursor of the previous page, unchanged.';
  return new ValidationError(message, { details: [{ path: 'cursor', message }], cause });
}

async function mapConcurrently<T, R>(items: readonly T[], concurrency: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
