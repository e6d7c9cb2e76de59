/**
 * The caller's own account: profile, password, export and deletion.
 *
 * Deleting an account erases in a fixed order — every kind of owned data, then the profile record,
 * then the identity itself — and every step is idempotent. The identity goes last because it is
 * what lets the caller call again: after a partial failure the caller's token still works and a
 * retry finishes the job; after a full success a retry finds nothing left and still succeeds.
 */
import type { Clock } from '../clock.js';
import type { Caller } from '../config/access-rules.js';
import { NotFoundError, UnauthorizedError } from '../errors.js';
import type { AuthFlows, DirectoryUser, OwnedData, ProfileStore, UserDirectory } from './ports.js';

export type Profile = {
  userId: string;
  email: string;
  emailVerified: boolean;
  name?: string;
  groups: string[];
  createdAt: string;
};

export type AccountExport = { profile: Profile; documents: unknown[]; files: unknown[]; devices: unknown[]; notifications: unknown[] } & Record<string, unknown>;

export async function getProfile(directory: UserDirectory, caller: Caller): Promise<Profile> {
  const user = await directory.findUser(caller.userId);
  if (!user) throw accountGone();
  return profileOf(user, await groupsOf(directory, caller.userId));
}

export type ProfileChanges = { name?: string | null };

/** Applies `changes` to the identity (what tokens and `/me` show) and to the profile record. */
export async function updateProfile(
  deps: { directory: UserDirectory; profiles: ProfileStore; clock: Clock },
  caller: Caller,
  changes: ProfileChanges,
): Promise<Profile> {
  const { directory, profiles } = deps;
  if (changes.name !== undefined) {
    const name = changes.name ?? undefined;
    await directory.setName(caller.userId, name).catch(asAccountGone);
    const user = await directory.findUser(caller.userId);
    if (!user) throw accountGone();
    await profiles.saveName(caller.userId, name, { email: user.email, createdAt: user.createdAt }, deps.clock.now());
    return profileOf(user, await groupsOf(directory, caller.userId));
  }
  return getProfile(directory, caller);
}

export async function changePassword(
  flows: AuthFlows,
  accessToken: string,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  await flows.changePassword({ accessToken, ...input });
}

export async function exportAccount(
  deps: { directory: UserDirectory; ownedData: readonly OwnedData[] },
  caller: Caller,
): Promise<AccountExport> {
  const [profile, ...owned] = await Promise.all([
    getProfile(deps.directory, caller),
    ...deps.ownedData.map(async (data) => [data.kind, await data.exportFor(caller.userId)] as const),
  ]);
  return { profile, documents: [], files: [], devices: [], notifications: [], location: null, ...Object.fromEntries(owned) };
}

export async function deleteAccount(
  deps: { directory: UserDirectory; profiles: ProfileStore; ownedData: readonly OwnedData[] },
  caller: Caller,
): Promise<void> {
  for (const data of deps.ownedData) await data.eraseFor(caller.userId);
  await deps.profiles.delete(caller.userId);
  try {
    await deps.directory.deleteUser(caller.userId);
  } catch (error) {
    // Deleted by an earlier attempt: the job is done.
    if (!(error instanceof NotFoundError)) throw error;
  }
}

function profileOf(user: DirectoryUser, groups: string[]): Profile {
  return {
    userId: user.userId,
    email: user.email,
    emailVerified: user.emailVerified,
    ...(user.name ? { name: user.name } : {}),
    groups,
    createdAt: user.createdAt,
  };
}

async function groupsOf(directory: UserDirectory, userId: string): Promise<string[]> {
  return directory.groupsOf(userId).catch(asAccountGone);
}

/** A valid token whose user no longer exists (deleted meanwhile): the token is no good any more. */
function accountGone(): UnauthorizedError {
  return new UnauthorizedError('This account no longer exists.');
}

function asAccountGone(error: unknown): never {
  throw error instanceof NotFoundError ? accountGone() : error;
}
