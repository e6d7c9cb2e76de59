/**
 * User administration: list (paginated, signed cursors), groups, disable/enable — for the admin
 * group only — through the handlers against the Cognito emulator (and DynamoDB Local for the
 * cursor key).
 */
import { AdminAddUserToGroupCommand, AdminDeleteUserCommand, AdminListGroupsForUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCognitoClient } from '../../../functions/adapters/aws-clients.js';
import { CognitoUserDirectory } from '../../../functions/adapters/cognito-user-directory.js';
import { listUsersDeps } from '../../../functions/auth/auth-wiring.js';
import type { UserDirectory } from '../../../functions/core/auth/ports.js';
import { listUsers as listUsersUseCase } from '../../../functions/core/auth/user-admin.js';
import backend from '../../../lambase.config.js';
import { startAuthHarness, type AuthHarness, type TestUser } from './auth-harness.js';

type AdminUser = { userId: string; email: string; enabled: boolean; groups: string[]; createdAt: string };
type Page = { items: AdminUser[]; nextCursor: string | null };

let h: AuthHarness;
let admin: TestUser;
let otherAdmin: TestUser;
let member: TestUser;

async function newAdmin(): Promise<TestUser> {
  const user = await h.confirmedUser({ name: 'Admin' });
  await h.sdk.send(
    new AdminAddUserToGroupCommand({ UserPoolId: h.cognito.userPoolId, Username: user.userId, GroupName: backend.auth.adminGroup }),
  );
  // Sign in again: the new token carries the group.
  return { ...user, ...(await h.signInWithSdk(user.email, user.password)) };
}

beforeAll(async () => {
  h = await startAuthHarness();
  admin = await newAdmin();
  otherAdmin = await newAdmin();
  member = await h.confirmedUser();
});
afterAll(async () => h?.stop());

const listUsers = (as: TestUser, rawQueryString = '') =>
  h.callAs(as, h.handlers.listUsers, { method: 'GET', path: '/admin/users', rawQueryString });
const groupRoute = '/admin/users/{userId}/groups/{group}';
const addToGroup = (as: TestUser, userId: string, group: string) =>
  h.callAs(as, h.handlers.addUserToGroup, { method: 'PUT', path: `/admin/users/${userId}/groups/${group}`, route: groupRoute, pathParameters: { userId, group } });
const removeFromGroup = (as: TestUser, userId: string, group: string) =>
  h.callAs(as, h.handlers.removeUserFromGroup, { method: 'DELETE', path: `/admin/users/${userId}/groups/${group}`, route: groupRoute, pathParameters: { userId, group } });
const disable = (as: TestUser, userId: string) =>
  h.callAs(as, h.handlers.disableUser, { method: 'POST', path: `/admin/users/${userId}/disable`, route: '/admin/users/{userId}/disable', pathParameters: { userId } });
const enable = (as: TestUser, userId: string) =>
  h.callAs(as, h.handlers.enableUser, { method: 'POST', path: `/admin/users/${userId}/enable`, route: '/admin/users/{userId}/enable', pathParameters: { userId } });

const groupsOf = async (userId: string) =>
  ((await h.sdk.send(new AdminListGroupsForUserCommand({ UserPoolId: h.cognito.userPoolId, Username: userId }))).Groups ?? []).map(
    (group) => group.GroupName,
  );
const signIn = (user: TestUser) => h.post(h.handlers.signIn, '/auth/sign-in', { email: user.email, password: user.password });
const refresh = (user: TestUser) => h.post(h.handlers.refresh, '/auth/refresh', { refreshToken: user.refreshToken });

describe('admin routes, called by someone outside the admin group', () => {
  it.each([
    ['GET /admin/users', () => listUsers(member)],
    ['PUT …/groups/{group}', () => addToGroup(member, member.userId, backend.auth.adminGroup)],
    ['DELETE …/groups/{group}', () => removeFromGroup(member, admin.userId, backend.auth.adminGroup)],
    ['POST …/disable', () => disable(member, admin.userId)],
    ['POST …/enable', () => enable(member, member.userId)],
  ])('%s answers 403 Forbidden and changes nothing', async (_route, call) => {
    const response = await call();
    expect(response.statusCode).toBe(403);
    expect(response.body).toMatchObject({ error: { code: 'Forbidden' } });
    expect(await groupsOf(member.userId)).toEqual([]);
    expect(await groupsOf(admin.userId)).toEqual([backend.auth.adminGroup]);
    expect(await groupsOf(otherAdmin.userId)).toEqual([backend.auth.adminGroup]);
    expect((await signIn(admin)).statusCode).toBe(200);
  });
});

describe('GET /admin/users', () => {
  it('pages through every user exactly once, with their groups and state', async () => {
    for (let i = 0; i < 3; i += 1) await h.confirmedUser();
    const seen: AdminUser[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await listUsers(admin, `limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(response.statusCode).toBe(200);
      const page = response.body as Page;
      expect(page.items.length).toBeGreaterThan(0);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(seen.map((user) => user.userId)).size).toBe(seen.length);
    expect(seen.find((user) => user.userId === admin.userId)).toEqual({
      userId: admin.userId,
      email: admin.email,
      enabled: true,
      groups: [backend.auth.adminGroup],
      createdAt: expect.any(String),
    });
    expect(seen.find((user) => user.userId === member.userId)).toMatchObject({ email: member.email, groups: [] });

    const all = (await listUsers(admin, 'limit=100')).body as Page;
    expect(all.items.map((user) => user.userId).sort()).toEqual(seen.map((user) => user.userId).sort());
    expect(all.nextCursor).toBeNull();
  });

  it('answers 400 ValidationFailed for an altered cursor, one of another admin, and a limit below 1', async () => {
    const first = (await listUsers(admin, 'limit=1')).body as Page;
    const cursor = first.nextCursor!;
    expect(cursor).toEqual(expect.any(String));
    expect((await listUsers(admin, `limit=1&cursor=${encodeURIComponent(cursor)}`)).statusCode).toBe(200);
    const flip = (at: number) => `${cursor.slice(0, at)}${cursor[at] === 'A' ? 'B' : 'A'}${cursor.slice(at + 1)}`;
    const cases = [
      ['unsigned', Buffer.from(JSON.stringify({ v: 1, t: 'forged' })).toString('base64url')],
      ['not a cursor', 'not-a-cursor'],
      ['cut short', cursor.slice(0, -2)],
      ['a character of the position flipped', flip(2)],
      ['a character of the signature flipped', flip(cursor.length - 1)],
      ['~ appended (base64url decoders skip it)', `${cursor}~`],
      ['= appended', `${cursor}=`],
    ];
    for (const [name, altered] of cases) {
      const response = await listUsers(admin, `cursor=${encodeURIComponent(altered!)}`);
      expect(response.statusCode, name).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'ValidationFailed', details: [{ path: 'cursor' }] } });
    }
    const replayed = await listUsers(otherAdmin, `limit=1&cursor=${encodeURIComponent(cursor)}`);
    expect(replayed.statusCode).toBe(400);
    expect(replayed.body).toMatchObject({ error: { code: 'ValidationFailed' } });
    const limit = await listUsers(admin, 'limit=0');
    expect(limit.statusCode).toBe(400);
    expect(limit.body).toMatchObject({ error: { code: 'ValidationFailed' } });
  });

  it('leaves out a user deleted between the listing and the group look-up, instead of failing the page', async () => {
    const doomed = await h.confirmedUser();
    const real = new CognitoUserDirectory(createCognitoClient(), h.cognito.userPoolId);
    // The real directory, with the user deleted right after Cognito listed it.
    const racing: UserDirectory = Object.assign(Object.create(real) as CognitoUserDirectory, {
      listUsers: async (page: { limit: number; token?: string }) => {
        const listed = await real.listUsers(page);
        await h.sdk.send(new AdminDeleteUserCommand({ UserPoolId: h.cognito.userPoolId, Username: doomed.userId }));
        return listed;
      },
    });
    const caller = { userId: admin.userId, groups: [backend.auth.adminGroup] };
    const page = await listUsersUseCase({ directory: racing, adminGroup: backend.auth.adminGroup, cursors: listUsersDeps().cursors }, caller, { limit: 60 });
    const ids = page.items.map((item) => item.userId);
    expect(ids).toContain(admin.userId);
    expect(ids).toContain(member.userId);
    expect(ids).not.toContain(doomed.userId);
  });
});

describe('PUT and DELETE /admin/users/{userId}/groups/{group}', () => {
  it('adds and removes a group (204), which the next sign-in carries', async () => {
    const user = await h.confirmedUser();
    expect((await addToGroup(admin, user.userId, 'editors')).statusCode).toBe(204);
    expect(await groupsOf(user.userId)).toEqual(['editors']);
    const listed = ((await listUsers(admin, 'limit=100')).body as Page).items.find((item) => item.userId === user.userId);
    expect(listed?.groups).toEqual(['editors']);
    expect((await removeFromGroup(admin, user.userId, 'editors')).statusCode).toBe(204);
    expect(await groupsOf(user.userId)).toEqual([]);
  });

  it('answers 404 NotFound for an unknown user and an unknown group', async () => {
    for (const response of [
      await addToGroup(admin, '00000000-0000-4000-8000-000000000000', 'editors'),
      await removeFromGroup(admin, '00000000-0000-4000-8000-000000000000', 'editors'),
      await addToGroup(admin, member.userId, 'no-such-group'),
    ]) {
      expect(response.statusCode).toBe(404);
      expect(response.body).toMatchObject({ error: { code: 'NotFound' } });
    }
  });
});

describe('POST /admin/users/{userId}/disable and /enable', () => {
  it('disables a user (204), who can then neither sign in nor refresh, until enabled again', async () => {
    const user = await h.confirmedUser();
    expect((await disable(admin, user.userId)).statusCode).toBe(204);
    expect(((await listUsers(admin, 'limit=100')).body as Page).items.find((item) => item.userId === user.userId)?.enabled).toBe(false);
    expect((await signIn(user)).statusCode).toBe(401);
    expect((await refresh(user)).statusCode).toBe(401);

    expect((await enable(admin, user.userId)).statusCode).toBe(204);
    expect((await signIn(user)).statusCode).toBe(200);
  });

  it('answers 404 NotFound for an unknown user', async () => {
    for (const response of [await disable(admin, 'no-such-user'), await enable(admin, 'no-such-user')]) {
      expect(response.statusCode).toBe(404);
      expect(response.body).toMatchObject({ error: { code: 'NotFound' } });
    }
  });
});
