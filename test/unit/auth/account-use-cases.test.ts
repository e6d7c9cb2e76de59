/**
 * Pure use-case rules with in-memory ports: the order account deletion erases in, the export's
 * shape with owned data plugged in, the admin check, the admin cursor, and users that vanish
 * while a page of them is being listed.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deleteAccount, exportAccount } from '../../../functions/core/auth/account.js';
import type { DirectoryUser, OwnedData, ProfileStore, UserDirectory } from '../../../functions/core/auth/ports.js';
import { listUsers } from '../../../functions/core/auth/user-admin.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../functions/core/errors.js';
import { CursorCodec } from '../../../functions/core/pagination/cursor.js';

const ada: DirectoryUser = { userId: 'u-1', email: 'ada@example.com', emailVerified: true, enabled: true, createdAt: '2026-01-01T00:00:00.000Z' };

function memoryDirectory(steps: string[], users = new Map([[ada.userId, ada]])): UserDirectory {
  const missing = () => new NotFoundError('No such user.');
  return {
    findUser: async (userId) => users.get(userId),
    groupsOf: async (userId) => (users.has(userId) ? ['editors'] : Promise.reject(missing())),
    setName: async () => undefined,
    deleteUser: async (userId) => {
      steps.push(`user:${userId}`);
      if (!users.delete(userId)) throw missing();
    },
    listUsers: async ({ limit, token }) => {
      const all = [...users.values()];
      const start = token ? Number(token) : 0;
      const next = start + limit;
      return { users: all.slice(start, next), ...(next < all.length ? { nextToken: String(next) } : {}) };
    },
    addToGroup: async () => undefined,
    removeFromGroup: async () => undefined,
    disable: async () => undefined,
    enable: async () => undefined,
  };
}

const memoryProfiles = (steps: string[]): ProfileStore => ({
  create: async () => undefined,
  saveName: async () => undefined,
  delete: async (userId) => {
    steps.push(`profile:${userId}`);
  },
});

const owned = (kind: string, steps: string[], items: unknown[] = []): OwnedData => ({
  kind,
  exportFor: async () => items,
  eraseFor: async (userId) => {
    steps.push(`${kind}:${userId}`);
  },
});

describe('deleteAccount', () => {
  it('erases every kind of owned data in order, then the profile, then the user; a second run still succeeds', async () => {
    const steps: string[] = [];
    const deps = {
      directory: memoryDirectory(steps),
      profiles: memoryProfiles(steps),
      ownedData: [owned('documents', steps), owned('files', steps), owned('devices', steps)],
    };
    await deleteAccount(deps, { userId: ada.userId, groups: [] });
    expect(steps).toEqual(['documents:u-1', 'files:u-1', 'devices:u-1', 'profile:u-1', 'user:u-1']);
    await expect(deleteAccount(deps, { userId: ada.userId, groups: [] })).resolves.toBeUndefined();
  });
});

describe('exportAccount', () => {
  it('lists the profile, the three contract lists, and any other kind of owned data under its own key', async () => {
    const steps: string[] = [];
    const result = await exportAccount(
      { directory: memoryDirectory(steps), ownedData: [owned('documents', steps, [{ id: 'd1' }]), owned('notifications', steps, [{ id: 'n1' }])] },
      { userId: ada.userId, groups: [] },
    );
    expect(result).toEqual({
      profile: { userId: 'u-1', email: 'ada@example.com', emailVerified: true, groups: ['editors'], createdAt: ada.createdAt },
      documents: [{ id: 'd1' }],
      files: [],
      devices: [],
      notifications: [{ id: 'n1' }],
      // The contract's single record: null until a location is reported.
      location: null,
    });
    expect(steps).toEqual([]);
  });
});

describe('listUsers', () => {
  const users = new Map(['a', 'b', 'c'].map((id) => [id, { ...ada, userId: id, email: `${id}@example.com` }]));
  const codec = new CursorCodec(randomBytes(32));
  const deps = { directory: memoryDirectory([], users), adminGroup: 'admin', cursors: async () => codec };
  const admin = { userId: 'x', groups: ['admin'] };

  it('is for the admin group only', async () => {
    await expect(listUsers(deps, { userId: 'x', groups: ['editors'] }, { limit: 20 })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("wraps the directory's paging token in a signed cursor and ends with null", async () => {
    const first = await listUsers(deps, admin, { limit: 2 });
    expect(first.items.map((item) => item.userId)).toEqual(['a', 'b']);
    expect(first.nextCursor).toMatch(/^[\w-]+\.[\w-]+$/);
    const second = await listUsers(deps, admin, { limit: 2, cursor: first.nextCursor! });
    expect(second).toEqual({ items: [expect.objectContaining({ userId: 'c', groups: ['editors'] })], nextCursor: null });
  });

  it('refuses a cursor it did not sign, an altered one, and one issued to another admin', async () => {
    const { nextCursor } = await listUsers(deps, admin, { limit: 1 });
    const [payload, signature] = nextCursor!.split('.') as [string, string];
    const flip = (text: string, at: number) => `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    const unsigned = Buffer.from(JSON.stringify({ v: 1, t: '2' })).toString('base64url');
    const forged = new CursorCodec(randomBytes(32)).encode({ token: '2' }, { list: 'admin-users', caller: admin.userId });
    for (const cursor of [unsigned, forged, `${flip(payload, 3)}.${signature}`, `${payload}.${flip(signature, 0)}`, `${nextCursor}~`, `${nextCursor}.x`]) {
      await expect(listUsers(deps, admin, { limit: 1, cursor }), cursor).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(listUsers(deps, { userId: 'y', groups: ['admin'] }, { limit: 1, cursor: nextCursor! })).rejects.toBeInstanceOf(ValidationError);
  });

  it('leaves out a user deleted between the listing and the group look-up', async () => {
    const directory = memoryDirectory([], new Map(users));
    const vanishing: UserDirectory = { ...directory, groupsOf: (userId) => (userId === 'b' ? Promise.reject(new NotFoundError()) : directory.groupsOf(userId)) };
    const page = await listUsers({ ...deps, directory: vanishing }, admin, { limit: 3 });
    expect(page.items.map((item) => item.userId)).toEqual(['a', 'c']);
  });

  it('goes on to the next users rather than answer an empty page while more exist', async () => {
    const directory = memoryDirectory([], new Map(users));
    const vanishing: UserDirectory = { ...directory, groupsOf: (userId) => (userId === 'c' ? directory.groupsOf(userId) : Promise.reject(new NotFoundError())) };
    const page = await listUsers({ ...deps, directory: vanishing }, admin, { limit: 2 });
    expect(page).toEqual({ items: [expect.objectContaining({ userId: 'c' })], nextCursor: null });
  });

  it('looks up at most 8 users\' groups at a time', async () => {
    const many = new Map(Array.from({ length: 30 }, (_, i) => [`u${i}`, { ...ada, userId: `u${i}` }]));
    const directory = memoryDirectory([], many);
    let running = 0;
    let most = 0;
    const counting: UserDirectory = {
      ...directory,
      groupsOf: async (userId) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running -= 1;
        return directory.groupsOf(userId);
      },
    };
    const page = await listUsers({ ...deps, directory: counting }, admin, { limit: 30 });
    expect(page.items).toHaveLength(30);
    expect(most).toBe(8);
  });
});
