/**
 * The caller's own account: GET/PATCH /me, change-password, export and delete, through the
 * handlers against the Cognito emulator and DynamoDB Local.
 */
import { AdminAddUserToGroupCommand, AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCognitoClient, createDocumentClient } from '../../../functions/adapters/aws-clients.js';
import { CognitoUserDirectory } from '../../../functions/adapters/cognito-user-directory.js';
import { DynamoDbProfileStore } from '../../../functions/adapters/dynamodb-profile-store.js';
import { deleteAccount } from '../../../functions/core/auth/account.js';
import type { OwnedData } from '../../../functions/core/auth/ports.js';
import { createProfile } from '../../../functions/core/auth/profile.js';
import { systemClock } from '../../../functions/core/clock.js';
import backend from '../../../lambase.config.js';
import { ensureUser } from '../../../local/emulators/cognito/ensure-user.js';
import { claimsOf, newEmail, OTHER_PASSWORD, PASSWORD, startAuthHarness, WEAK_PASSWORD, type AuthHarness, type TestUser } from './auth-harness.js';

let h: AuthHarness;
beforeAll(async () => {
  h = await startAuthHarness();
});
afterAll(async () => h?.stop());

const getMe = (user: TestUser | undefined) => h.callAs(user, h.handlers.getMe, { method: 'GET', path: '/me' });
const patchMe = (user: TestUser, json: unknown) => h.callAs(user, h.handlers.updateMe, { method: 'PATCH', path: '/me', json });
const changePassword = (user: TestUser, json: unknown) =>
  h.callAs(user, h.handlers.changePassword, { method: 'POST', path: '/me/change-password', json });
const exportMe = (user: TestUser) => h.callAs(user, h.handlers.exportMe, { method: 'GET', path: '/me/export' });
const deleteMe = (user: TestUser) => h.callAs(user, h.handlers.deleteMe, { method: 'DELETE', path: '/me' });

const userExists = (userId: string) =>
  h.sdk.send(new AdminGetUserCommand({ UserPoolId: h.cognito.userPoolId, Username: userId })).then(
    () => true,
    (error: Error) => (error.name === 'UserNotFoundException' ? false : Promise.reject(error)),
  );

/** What the post-confirmation trigger would have written (the emulator here runs without triggers). */
async function withProfile(user: TestUser, name?: string): Promise<TestUser> {
  const profiles = new DynamoDbProfileStore(createDocumentClient(), process.env.LAMBASE_TABLE_NAME!);
  await createProfile(profiles, { userId: user.userId, email: user.email, name }, systemClock);
  return user;
}

describe('GET /me', () => {
  it("answers the caller's profile: id, email, verification, name, groups and creation time", async () => {
    const user = await h.confirmedUser({ name: 'Grace' });
    await h.sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: h.cognito.userPoolId, Username: user.userId, GroupName: 'editors' }));
    const response = await getMe(user);
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      userId: user.userId,
      email: user.email,
      emailVerified: true,
      name: 'Grace',
      groups: ['editors'],
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
    });
    expect(Math.abs(Date.parse((response.body as { createdAt: string }).createdAt) - Date.now())).toBeLessThan(60_000);
  });

  it('leaves out a name the user has not given, and lists no groups as []', async () => {
    const user = await h.confirmedUser();
    const body = (await getMe(user)).body as Record<string, unknown>;
    expect(body).not.toHaveProperty('name');
    expect(body.groups).toEqual([]);
  });

  it('answers 401 without the authorizer, and 401 once the account is gone', async () => {
    expect((await getMe(undefined)).statusCode).toBe(401);
    const user = await h.confirmedUser();
    expect((await deleteMe(user)).statusCode).toBe(204);
    const response = await getMe(user);
    expect(response.statusCode).toBe(401);
    expect(response.body).toMatchObject({ error: { code: 'Unauthorized' } });
  });
});

describe('PATCH /me', () => {
  it('sets the name in Cognito and in the profile record, and null removes it from both', async () => {
    const user = await withProfile(await h.confirmedUser());
    const named = await patchMe(user, { name: '  Ada Lovelace ' });
    expect(named.statusCode).toBe(200);
    expect(named.body).toMatchObject({ userId: user.userId, email: user.email, name: 'Ada Lovelace', groups: [] });
    expect((await getMe(user)).body).toMatchObject({ name: 'Ada Lovelace' });
    expect(await h.profileRecord(user.userId)).toMatchObject({ name: 'Ada Lovelace', email: user.email });

    const removed = await patchMe(user, { name: null });
    expect(removed.statusCode).toBe(200);
    expect(removed.body).not.toHaveProperty('name');
    expect((await getMe(user)).body).not.toHaveProperty('name');
    const record = await h.profileRecord(user.userId);
    expect(record).toBeDefined();
    expect(record).not.toHaveProperty('name');
  });

  it('creates the profile record when the user has none yet (a user an administrator created)', async () => {
    const user = await h.confirmedUser();
    expect(await h.profileRecord(user.userId)).toBeUndefined();
    expect((await patchMe(user, { name: 'Linus' })).statusCode).toBe(200);
    expect(await h.profileRecord(user.userId)).toMatchObject({
      pk: `USER#${user.userId}`,
      sk: 'PROFILE',
      userId: user.userId,
      email: user.email,
      name: 'Linus',
      createdAt: expect.any(String),
    });
  });

  it('changes nothing for an empty body, and refuses unknown fields and an empty name', async () => {
    const user = await h.confirmedUser({ name: 'Kept' });
    const unchanged = await patchMe(user, {});
    expect(unchanged.statusCode).toBe(200);
    expect(unchanged.body).toMatchObject({ name: 'Kept' });
    for (const json of [{ email: 'other@example.com' }, { name: '' }, { name: 42 }]) {
      const response = await patchMe(user, json);
      expect(response.statusCode).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'ValidationFailed' } });
    }
    expect((await getMe(user)).body).toMatchObject({ name: 'Kept', email: user.email });
  });
});

describe('POST /me/change-password', () => {
  it('changes the password (204): the new one signs in, the old one no longer does', async () => {
    const user = await h.confirmedUser();
    const response = await changePassword(user, { currentPassword: PASSWORD, newPassword: OTHER_PASSWORD });
    expect(response.statusCode).toBe(204);
    await expect(h.signInWithSdk(user.email, OTHER_PASSWORD)).resolves.toBeDefined();
    await expect(h.signInWithSdk(user.email, PASSWORD)).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('answers 401 InvalidCredentials for a wrong current password and 400 InvalidPassword for a weak new one', async () => {
    const user = await h.confirmedUser();
    const wrong = await changePassword(user, { currentPassword: OTHER_PASSWORD, newPassword: OTHER_PASSWORD });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toMatchObject({ error: { code: 'InvalidCredentials' } });
    const weak = await changePassword(user, { currentPassword: PASSWORD, newPassword: WEAK_PASSWORD });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toMatchObject({ error: { code: 'InvalidPassword' } });
    await expect(h.signInWithSdk(user.email, PASSWORD)).resolves.toBeDefined();
  });

  it('answers 401 Unauthorized with an access token revoked by sign-out', async () => {
    const user = await h.confirmedUser();
    expect((await h.callAs(user, h.handlers.signOut, { method: 'POST', path: '/auth/sign-out' })).statusCode).toBe(204);
    const response = await changePassword(user, { currentPassword: PASSWORD, newPassword: OTHER_PASSWORD });
    expect(response.statusCode).toBe(401);
    expect(response.body).toMatchObject({ error: { code: 'Unauthorized' } });
  });
});

describe('GET /me/export', () => {
  it('answers the profile and every kind of owned data', async () => {
    const user = await h.confirmedUser({ name: 'Exporter' });
    const response = await exportMe(user);
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      profile: { userId: user.userId, email: user.email, emailVerified: true, name: 'Exporter', groups: [], createdAt: expect.any(String) },
      documents: [],
      files: [],
      devices: [],
      topics: [],
      notifications: [],
      location: null,
    });
    expect(response.headers['content-disposition']).toMatch(/^attachment/);
  });
});

describe('DELETE /me', () => {
  it('deletes the profile record and the user (204); a retry still answers 204', async () => {
    const user = await withProfile(await h.confirmedUser(), 'Leaving');
    expect(await h.profileRecord(user.userId)).toBeDefined();
    const response = await deleteMe(user);
    expect(response.statusCode).toBe(204);
    expect(await h.profileRecord(user.userId)).toBeUndefined();
    expect(await userExists(user.userId)).toBe(false);
    await expect(h.signInWithSdk(user.email, user.password)).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    expect((await deleteMe(user)).statusCode).toBe(204);
  });

  it('erases owned data first and the user last, so a retry after a failure finishes the job', async () => {
    const user = await withProfile(await h.confirmedUser());
    const erased: string[] = [];
    let failOnce = true;
    const documents: OwnedData = {
      kind: 'documents',
      exportFor: async () => [],
      eraseFor: async (userId) => {
        erased.push(`documents:${userId}`);
      },
    };
    const files: OwnedData = {
      kind: 'files',
      exportFor: async () => [],
      eraseFor: async (userId) => {
        if (failOnce) {
          failOnce = false;
          throw new Error('S3 is having a bad day');
        }
        erased.push(`files:${userId}`);
      },
    };
    const deps = {
      directory: new CognitoUserDirectory(createCognitoClient(), h.cognito.userPoolId),
      profiles: new DynamoDbProfileStore(createDocumentClient(), process.env.LAMBASE_TABLE_NAME!),
      ownedData: [documents, files],
    };
    const caller = { userId: user.userId, groups: [] };

    await expect(deleteAccount(deps, caller)).rejects.toThrow('bad day');
    // Nothing after the failed step ran: the profile and the user are still there to retry with.
    expect(await h.profileRecord(user.userId)).toBeDefined();
    expect(await userExists(user.userId)).toBe(true);

    await deleteAccount(deps, caller);
    expect(erased).toEqual([`documents:${user.userId}`, `documents:${user.userId}`, `files:${user.userId}`]);
    expect(await h.profileRecord(user.userId)).toBeUndefined();
    expect(await userExists(user.userId)).toBe(false);
    await expect(deleteAccount(deps, caller)).resolves.toBeUndefined();
  });
});

describe('the first admin, created without a profile record (AdminCreateUser in the cloud, ensureUser locally)', () => {
  it('can export (GET /me/export) and then name itself (PATCH /me), which creates the record', async () => {
    const email = newEmail('first-admin');
    await ensureUser(
      { endpoint: h.cognito.endpoint, region: process.env.AWS_REGION!, userPoolId: h.cognito.userPoolId },
      { email, password: PASSWORD, groups: [backend.auth.adminGroup] },
    );
    const tokens = await h.signInWithSdk(email, PASSWORD);
    const userId = String(claimsOf(tokens.accessToken).sub);
    const admin: TestUser = { email, password: PASSWORD, userId, ...tokens };
    expect(await h.profileRecord(userId)).toBeUndefined();

    const exported = await exportMe(admin);
    expect(exported.statusCode).toBe(200);
    expect(exported.body).toEqual({
      profile: { userId, email, emailVerified: true, groups: [backend.auth.adminGroup], createdAt: expect.any(String) },
      documents: [],
      files: [],
      devices: [],
      topics: [],
      notifications: [],
      location: null,
    });

    const named = await patchMe(admin, { name: 'First Admin' });
    expect(named.statusCode).toBe(200);
    expect(named.body).toMatchObject({ userId, email, name: 'First Admin', groups: [backend.auth.adminGroup] });
    expect(await h.profileRecord(userId)).toMatchObject({ userId, email, name: 'First Admin' });
  });
});
