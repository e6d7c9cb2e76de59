/**
 * Pure use-case rules with in-memory ports: the order account deletion erases in, the export's
 * shape with owned data plugged in, the admin check, and the admin cursor.
 */
import { describe, expect, it } from 'vitest';
import { deleteAccount, exportAccount } from '../../../functions/core/auth/account.js';
import type { DirectoryUser, OwnedData, ProfileStore, UserDirectory } from '../../../functions/core/auth/ports.js';
import { listUsers, readUsersCursor, usersCursor } from '../../../functions/core/auth/user-admin.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../functions/core/errors.js';

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
    });
    expect(steps).toEqual([]);
  });
});

describe('listUsers', () => {
  const users = new Map(['a', 'b', 'c'].map((id) => [id, { ...ada, userId: id, email: `${id}@example.com` }]));
  const deps = { directory: memoryDirectory([], users), adminGroup: 'admin' };

  it('is for the admin group only', async () => {
    await expect(listUsers(deps, { userId: 'x', groups: ['editors'] }, { limit: 20 })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('wraps the directory\'s paging token in an opaque cursor and ends with null', async () => {
    const admin = { userId: 'x', groups: ['admin'] };
    const first = await listUsers(deps, admin, { limit: 2 });
    expect(first.items.map((item) => item.userId)).toEqual(['a', 'b']);
    expect(first.nextCursor).not.toBe('2');
    const second = await listUsers(deps, admin, { limit: 2, cursor: first.nextCursor! });
    expect(second).toEqual({ items: [expect.objectContaining({ userId: 'c', groups: ['editors'] })], nextCursor: null });
  });

  it('refuses a cursor it did not make', () => {
    expect(readUsersCursor(usersCursor('token-1'))).toBe('token-1');
    for (const cursor of ['', 'abc', Buffer.from('{"v":2,"t":"x"}').toString('base64url'), Buffer.from('[]').toString('base64url')]) {
      expect(() => readUsersCursor(cursor), cursor).toThrow(ValidationError);
    }
  });
});
