/**
 * Auth end to end, over HTTP against local mode (the issue's acceptance): the scripted session from
 * sign-up to account deletion, no user enumeration at sign-in, admin-only routes, disabling a
 * user, and the JWT authorizer's 401s for tokens that are not this pool's access tokens.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CognitoTokenIssuer, type TokenRequest } from '../../local/emulators/cognito/token-issuer.js';
import { api, startTestBackend, STRONG_PASSWORD, uniqueEmail, type TestBackend } from '../fixtures/local-backend.js';

const ADMIN = { email: 'first-admin@example.com', password: 'Admin-Password-42!' };
const UNAUTHORIZED = { message: 'Unauthorized' };

type Tokens = { accessToken: string; idToken: string; refreshToken: string; expiresIn: number; tokenType: string };
type Outbox = { emails: { to: string; subject: string; code?: string }[] };

let local: TestBackend;
let table: DynamoDBDocumentClient;

beforeAll(async () => {
  local = await startTestBackend({ admin: ADMIN });
  table = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: local.endpoints.dynamodb, region: local.region, credentials: local.credentials }),
  );
});

afterAll(async () => {
  table?.destroy();
  await local?.cleanup();
});

const call = <T = unknown>(method: string, path: string, options?: Parameters<typeof api>[3]) => api<T>(local.url, method, path, options);
const signIn = (email: string, password: string) => call<Tokens>('POST', '/auth/sign-in', { body: { email, password } });
const refresh = (refreshToken: string) => call('POST', '/auth/refresh', { body: { refreshToken } });

async function codeFromOutbox(email: string): Promise<string> {
  const outbox = (await call<Outbox>('GET', '/_local/outbox')).body;
  const code = outbox.emails.filter((mail) => mail.to === email && mail.code).at(-1)?.code;
  if (!code) throw new Error(`no code for ${email} in the outbox`);
  return code;
}

const profileRecord = async (userId: string) =>
  (await table.send(new GetCommand({ TableName: local.tableName, Key: { pk: `USER#${userId}`, sk: 'PROFILE' } }))).Item;

/** Signs up, confirms and signs in through the routes. */
async function newUser(name?: string): Promise<{ email: string; userId: string; tokens: Tokens }> {
  const email = uniqueEmail();
  const { body } = await call<{ userId: string }>('POST', '/auth/sign-up', { body: { email, password: STRONG_PASSWORD, ...(name ? { name } : {}) } });
  await call('POST', '/auth/confirm-sign-up', { body: { email, code: await codeFromOutbox(email) } });
  return { email, userId: body.userId, tokens: (await signIn(email, STRONG_PASSWORD)).body };
}

describe('a session, from sign-up to account deletion', () => {
  it('signs up, confirms with the emailed code, uses and refreshes tokens, signs out and deletes the account', async () => {
    const email = uniqueEmail('session');

    const signedUp = await call<{ userId: string }>('POST', '/auth/sign-up', { body: { email, password: STRONG_PASSWORD, name: 'Ada' } });
    expect(signedUp.status).toBe(201);
    expect(signedUp.body).toEqual({ userId: expect.any(String), email, confirmed: false });
    const { userId } = signedUp.body;

    const confirmed = await call('POST', '/auth/confirm-sign-up', { body: { email, code: await codeFromOutbox(email) } });
    expect(confirmed.status).toBe(204);
    // The post-confirmation trigger ran through local mode's Lambda runtime.
    expect(await profileRecord(userId)).toMatchObject({ userId, email, name: 'Ada', createdAt: expect.any(String) });

    const signedIn = await signIn(email, STRONG_PASSWORD);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({ expiresIn: 3600, tokenType: 'Bearer' });
    const tokens = signedIn.body;

    const me = await call('GET', '/me', { as: tokens.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ userId, email, emailVerified: true, name: 'Ada', groups: [], createdAt: expect.any(String) });

    const refreshed = await refresh(tokens.refreshToken);
    expect(refreshed.status).toBe(200);
    const { accessToken } = refreshed.body as { accessToken: string };
    expect((await call('GET', '/me', { as: accessToken })).body).toMatchObject({ userId });

    expect((await call('POST', '/auth/sign-out', { as: accessToken })).status).toBe(204);
    const afterSignOut = await refresh(tokens.refreshToken);
    expect(afterSignOut.status).toBe(401);
    expect(afterSignOut.body).toMatchObject({ error: { code: 'Unauthorized' } });

    const again = (await signIn(email, STRONG_PASSWORD)).body;
    expect((await call('DELETE', '/me', { as: again.accessToken })).status).toBe(204);
    expect(await profileRecord(userId)).toBeUndefined();
    const gone = await signIn(email, STRONG_PASSWORD);
    expect(gone.status).toBe(401);
    expect(gone.body).toMatchObject({ error: { code: 'InvalidCredentials' } });
    // Deleting again (the client retrying) still answers 204.
    expect((await call('DELETE', '/me', { as: again.accessToken })).status).toBe(204);
  });
});

describe('sign-in without user enumeration', () => {
  it('answers an unknown email and a wrong password with byte-identical bodies, request id aside', async () => {
    const { email } = await newUser();
    const answer = async (body: object) => {
      const response = await fetch(`${local.url}/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const requestId = response.headers.get('x-request-id') ?? '';
      const text = await response.text();
      return { status: response.status, requestId, text, withoutId: text.replace(requestId, '') };
    };
    const wrongPassword = await answer({ email, password: 'Wrong-Password-1!' });
    const unknownEmail = await answer({ email: uniqueEmail('nobody'), password: 'Wrong-Password-1!' });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.requestId).not.toBe('');
    expect(wrongPassword.text).toContain(wrongPassword.requestId);
    expect(JSON.parse(wrongPassword.text)).toMatchObject({ error: { code: 'InvalidCredentials' } });
    expect(unknownEmail.withoutId).toBe(wrongPassword.withoutId);
  });
});

describe('administration', () => {
  it('refuses a user outside the admin group with 403 on every admin route', async () => {
    const user = await newUser();
    const as = user.tokens.accessToken;
    const calls = [
      call('GET', '/admin/users', { as }),
      call('PUT', `/admin/users/${user.userId}/groups/admin`, { as }),
      call('DELETE', `/admin/users/${user.userId}/groups/admin`, { as }),
      call('POST', `/admin/users/${user.userId}/disable`, { as }),
      call('POST', `/admin/users/${user.userId}/enable`, { as }),
    ];
    for (const response of await Promise.all(calls)) {
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ error: { code: 'Forbidden' } });
    }
    expect((await call('GET', '/me', { as })).body).toMatchObject({ groups: [] });
  });

  it('lets the first admin list users and disable one, who can then neither sign in nor refresh', async () => {
    const admin = await signIn(ADMIN.email, ADMIN.password);
    expect(admin.status).toBe(200);
    const as = admin.body.accessToken;
    expect((await call('GET', '/me', { as })).body).toMatchObject({ email: ADMIN.email, groups: ['admin'] });

    const user = await newUser();
    const listed = await call<{ items: { userId: string; enabled: boolean }[]; nextCursor: string | null }>('GET', '/admin/users?limit=100', { as });
    expect(listed.status).toBe(200);
    expect(listed.body.items.find((item) => item.userId === user.userId)).toMatchObject({ enabled: true });

    expect((await call('POST', `/admin/users/${user.userId}/disable`, { as })).status).toBe(204);
    expect((await signIn(user.email, STRONG_PASSWORD)).status).toBe(401);
    expect((await refresh(user.tokens.refreshToken)).status).toBe(401);

    expect((await call('POST', `/admin/users/${user.userId}/enable`, { as })).status).toBe(204);
    expect((await signIn(user.email, STRONG_PASSWORD)).status).toBe(200);
  });
});

describe('the first admin (made by local mode, with no profile record)', () => {
  it('can export its data and name itself, which creates the profile record', async () => {
    const as = (await signIn(ADMIN.email, ADMIN.password)).body.accessToken;
    const me = await call<{ userId: string }>('GET', '/me', { as });
    const { userId } = me.body;
    expect(await profileRecord(userId)).toBeUndefined();

    const exported = await call('GET', '/me/export', { as });
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({ profile: { userId, email: ADMIN.email, groups: ['admin'] }, documents: [], files: [], devices: [] });

    const named = await call('PATCH', '/me', { as, body: { name: 'First Admin' } });
    expect(named.status).toBe(200);
    expect(named.body).toMatchObject({ userId, name: 'First Admin', groups: ['admin'] });
    expect(await profileRecord(userId)).toMatchObject({ userId, email: ADMIN.email, name: 'First Admin' });
  });

  it('pages through users with signed cursors, and an altered cursor is 400', async () => {
    await newUser();
    const as = (await signIn(ADMIN.email, ADMIN.password)).body.accessToken;
    type Page = { items: { userId: string }[]; nextCursor: string | null };
    const first = await call<Page>('GET', '/admin/users?limit=1', { as });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    const cursor = first.body.nextCursor!;
    const second = await call<Page>('GET', `/admin/users?limit=1&cursor=${encodeURIComponent(cursor)}`, { as });
    expect(second.status).toBe(200);
    expect(second.body.items[0]!.userId).not.toBe(first.body.items[0]!.userId);
    const altered = await call('GET', `/admin/users?limit=1&cursor=${encodeURIComponent(`${cursor}~`)}`, { as });
    expect(altered.status).toBe(400);
    expect(altered.body).toMatchObject({ error: { code: 'ValidationFailed' } });
  });
});

describe('the gateway refuses tokens that are not valid access tokens of this pool and client', () => {
  const issuerUrl = () => `https://cognito-idp.${local.region}.amazonaws.com/${local.userPoolId}`;

  /** Tokens signed with the local pool's own key, for a real user, as the emulator would issue them. */
  async function poolSignedToken(userId: string, options: { clientId?: string; issuedAt?: Date } = {}): Promise<string> {
    const issuedAt = options.issuedAt ?? new Date();
    const issuer = new CognitoTokenIssuer({ issuer: issuerUrl(), clock: () => issuedAt });
    const request = {
      user: { Username: userId, Attributes: [{ Name: 'sub', Value: userId }] },
      groups: [],
      client: {
        ClientId: options.clientId ?? local.userPoolClientId,
        AccessTokenValidity: 60,
        IdTokenValidity: 60,
        TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes' },
      },
      source: 'Authentication',
    } as unknown as TokenRequest;
    const epoch = Math.floor(issuedAt.getTime() / 1000);
    const { AccessToken } = await issuer.issue(request, {
      jti: 'e2e-origin',
      client_id: request.client.ClientId,
      username: userId,
      auth_time: epoch,
      exp: epoch + 3600,
    });
    return AccessToken;
  }

  function resignedWithAnotherKey(token: string): string {
    const [header, payload] = token.split('.');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return `${header}.${payload}.${sign('sha256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url')}`;
  }

  it('accepts the well-formed token the checks below each break one thing of (control)', async () => {
    const user = await newUser();
    expect((await call('GET', '/me', { as: user.tokens.accessToken })).status).toBe(200);
    expect((await call('GET', '/me', { as: await poolSignedToken(user.userId) })).status).toBe(200);
  });

  it.each([
    ['signed by another key', async (user: { userId: string; tokens: Tokens }) => resignedWithAnotherKey(user.tokens.accessToken)],
    ['expired', async (user: { userId: string }) => poolSignedToken(user.userId, { issuedAt: new Date(Date.now() - 2 * 60 * 60 * 1000) })],
    ['of another client id', async (user: { userId: string }) => poolSignedToken(user.userId, { clientId: 'a'.repeat(26) })],
    ['not a token at all', async () => 'not-a-jwt'],
  ])('401 for a token %s, with API Gateway\'s own body', async (_case, token) => {
    const user = await newUser();
    const response = await call('GET', '/me', { as: await token(user) });
    expect(response.status).toBe(401);
    expect(response.body).toEqual(UNAUTHORIZED);
    expect(response.headers.get('apigw-requestid')).toBeTruthy();
  });

  it('401 for an ID token instead of an access token: the authorizer lets it through (its aud is the client id), the function refuses it', async () => {
    const user = await newUser();
    const response = await call('GET', '/me', { as: user.tokens.idToken });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: { code: 'Unauthorized' } });
  });

  it('takes the token with or without "Bearer " on a 🔒 route, as API Gateway\'s JWT authorizer does', async () => {
    const user = await newUser();
    const headers = (authorization: string) => ({ headers: { authorization } });
    expect((await fetch(`${local.url}/me`, headers(user.tokens.accessToken))).status).toBe(200);
    expect((await fetch(`${local.url}/me`, headers(`bearer ${user.tokens.accessToken}`))).status).toBe(200);
    const basic = await fetch(`${local.url}/me`, headers('Basic dXNlcjpwYXNz'));
    expect(basic.status).toBe(401);
    expect(await basic.json()).toEqual(UNAUTHORIZED);
  });

  it('401 without a token on a 🔒 route', async () => {
    const response = await call('POST', '/auth/sign-out');
    expect(response.status).toBe(401);
    expect(response.body).toEqual(UNAUTHORIZED);
  });
});
