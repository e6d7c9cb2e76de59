/**
 * The session as an app sees it: kept in the storage it chose, refreshed before it expires and
 * once after a 401, one refresh for any number of concurrent calls, and announced to listeners.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient, LambaseError, memoryStorage, type AuthChangeEvent, type Session, type SessionStorage } from '../../src/index.js';
import { fakeFetch, json, networkFailure, noContent, refreshAnswer, settle, tokenAnswer, type Answer, type RecordedCall } from '../fakes/fake-fetch.js';

const URL = 'http://api.test';

/** A backend whose auth routes answer as Cognito would; `answer` handles the rest. */
function backend(answer: (call: RecordedCall) => Answer = () => json(200, { ok: true })) {
  let refreshes = 0;
  let refuseRefresh = false;
  let refreshGate: Promise<void> | undefined;
  const fake = fakeFetch(async (call) => {
    if (call.path === '/auth/sign-in') return json(200, tokenAnswer({ sub: 'user-1', email: 'ada@example.com', groups: ['admin'] }));
    if (call.path === '/auth/refresh') {
      refreshes++;
      await refreshGate;
      return refuseRefresh ? json(401, { error: { code: 'Unauthorized', message: 'Refresh token revoked', requestId: 'r' } }) : json(200, refreshAnswer());
    }
    if (call.path === '/auth/sign-out') return noContent();
    return answer(call);
  });
  return {
    ...fake,
    get refreshes() {
      return refreshes;
    },
    refuseRefresh: () => (refuseRefresh = true),
    /** Holds refresh answers until `release()`. */
    holdRefresh() {
      let release!: () => void;
      refreshGate = new Promise((resolve) => (release = resolve));
      return release;
    },
    callsTo: (path: string) => fake.calls.filter((call) => call.path === path),
  };
}

/** An async store, like React Native's AsyncStorage. */
function asyncStorage(): SessionStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: async (key) => items.get(key) ?? null,
    setItem: async (key, value) => void items.set(key, value),
    removeItem: async (key) => void items.delete(key),
  };
}

describe('session storage', () => {
  it('keeps the session in the given storage, where a new client (a reload) finds it', async () => {
    const server = backend();
    const storage = asyncStorage();
    const first = createClient({ url: URL, fetch: server.fetch, storage });
    const { session } = await first.auth.signIn({ email: 'ada@example.com', password: 'pw' });
    expect(session?.user).toEqual({ userId: 'user-1', email: 'ada@example.com', groups: ['admin'] });
    expect([...storage.items.keys()]).toEqual(['lambase.session.api.test']);

    const reloaded = createClient({ url: URL, fetch: server.fetch, storage });
    const events: [AuthChangeEvent, Session | null][] = [];
    reloaded.auth.onAuthStateChange((event, current) => events.push([event, current]));
    await settle();
    expect(events).toEqual([['INITIAL_SESSION', session]]);
    await reloaded.me.get();
    expect(server.calls.at(-1)!.headers.authorization).toBe(`Bearer ${session!.accessToken}`);
  });

  it('works with the Web Storage shape (localStorage) and with memory by default', async () => {
    const server = backend();
    const webStorage = { data: {} as Record<string, string>, getItem(key: string) { return this.data[key] ?? null; }, setItem(key: string, value: string) { this.data[key] = value; }, removeItem(key: string) { delete this.data[key]; } };
    const client = createClient({ url: URL, fetch: server.fetch, storage: webStorage, storageKey: 'my-app' });
    await client.auth.signIn({ email: 'ada@example.com', password: 'pw' });
    expect(JSON.parse(webStorage.data['my-app']!)).toMatchObject({ user: { userId: 'user-1' } });
    await client.auth.signOut();
    expect(webStorage.data).toEqual({});

    const inMemory = createClient({ url: URL, fetch: server.fetch });
    await inMemory.auth.signIn({ email: 'ada@example.com', password: 'pw' });
    expect(await createClient({ url: URL, fetch: server.fetch }).auth.getSession()).toBeNull();
    expect(await createClient({ url: URL, fetch: server.fetch, storage: memoryStorage() }).auth.getSession()).toBeNull();
  });

  it('returns the challenge sign-in answers with, and signs in once it is answered', async () => {
    const fake = fakeFetch((call) =>
      call.path === '/auth/sign-in' ? json(200, { challenge: 'NEW_PASSWORD_REQUIRED', session: 'cognito-session' }) : json(200, tokenAnswer()),
    );
    const client = createClient({ url: URL, fetch: fake.fetch });
    const first = await client.auth.signIn({ email: 'ada@example.com', password: 'temporary' });
    expect(first).toEqual({ challenge: { name: 'NEW_PASSWORD_REQUIRED', session: 'cognito-session', email: 'ada@example.com' } });
    expect(await client.auth.getSession()).toBeNull();
    const second = await client.auth.respondToChallenge(first.challenge!, { newPassword: 'Correct-Horse-9' });
    expect(fake.calls[1]!.body).toEqual({ email: 'ada@example.com', session: 'cognito-session', newPassword: 'Correct-Horse-9' });
    expect(second.session?.user.userId).toBe('user-1');
  });
});

describe('refresh', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date'] }));
  afterEach(() => vi.useRealTimers());

  it('refreshes the access token shortly before it expires, keeping the refresh token', async () => {
    const server = backend();
    const client = createClient({ url: URL, fetch: server.fetch });
    const { session } = await client.auth.signIn({ email: 'ada@example.com', password: 'pw' });
    await client.me.get();
    expect(server.refreshes).toBe(0);

    vi.setSystemTime(Date.now() + 3600_000 - 30_000);
    await client.me.get();
    expect(server.refreshes).toBe(1);
    expect(server.callsTo('/auth/refresh')[0]!.body).toEqual({ refreshToken: session!.refreshToken });
    const refreshed = await client.auth.getSession();
    expect(server.callsTo('/me').at(-1)!.headers.authorization).toBe(`Bearer ${refreshed!.accessToken}`);
    expect(refreshed!.accessToken).not.toBe(session!.accessToken);
    expect(refreshed!.refreshToken).toBe(session!.refreshToken);
  });

  it('shares one refresh among concurrent calls', async () => {
    const server = backend();
    const client = createClient({ url: URL, fetch: server.fetch });
    await client.auth.signIn({ email: 'ada@example.com', password: 'pw' });
    vi.setSystemTime(Date.now() + 3600_000);
    const release = server.holdRefresh();
    const calls = Promise.all([client.me.get(), client.collection('notes').list(), client.files.list(), client.auth.getSession()]);
    await settle();
    release();
    await calls;
    expect(server.refreshes).toBe(1);
    const token = (await client.auth.getSession())!.accessToken;
    expect(server.calls.filter((call) => call.headers.authorization).map((call) => call.headers.authorization)).toEqual([
      `Bearer ${token}`,
      `Bearer ${token}`,
      `Bearer ${token}`,
    ]);
  });

  it('refreshes once after a 401 and repeats the call with the new token', async () => {
    let refused = false;
    const server = backend((call) => {
      if (!refused) {
        refused = true;
        return json(401, { message: 'Unauthorized' });
      }
      return json(200, { path: call.path });
    });
    const client = createClient({ url: URL, fetch: server.fetch });
    const { session } = await client.auth.signIn({ email: 'ada@example.com', password: 'pw' });
    expect(await client.me.get()).toEqual({ path: '/me' });
    const [first, second] = server.callsTo('/me');
    expect(first!.headers.authorization).toBe(`Bearer ${session!.accessToken}`);
    expect(second!.headers.authorization).toBe(`Bearer ${(await client.auth.getSession())!.accessToken}`);
    expect(second!.headers.authorization).not.toBe(first!.headers.authorization);
    expect(server.refreshes).toBe(1);
  });

  it('refreshes only once when several calls meet a 401 at the same time, and never loops', async () => {
    const server = backend(() => json(401, { message: 'Unauthorized' }));
    const client = createClient({ url: URL, fetch: server.fetch });
    await client.auth.signIn({ email: 'ada@example.com', password: 'pw' });
    const release = server.holdRefresh();
    const results = Promise.allSettled([client.me.get(), client.files.list(), client.collection('notes').list()]);
    await settle();
    release();
    const settled = await results;
    expect(settled.map((result) => result.status === 'rejected' && (result.reason as LambaseError).status)).toEqual([401, 401, 401]);
    // One refresh for the three refusals; each call is sent twice (old token, new token), no more.
    expect(server.refreshes).toBe(1);
    expect(server.calls.filter((call) => !call.path.startsWith('/auth/'))).toHaveLength(6);
  });

  it('signs out when the refresh token is refused, and the call rejects with its 401', async () => {
    const server = backend(() => json(401, { message: 'Unauthorized' }));
    const client = createClient({ url: URL, fetch: server.fetch });
    await client.auth.signIn({ email: 'ada@example.com', password: 'pw' });
    const events: AuthChangeEvent[] = [];
    client.auth.onAuthStateChange((event) => events.push(event));
    server.refuseRefresh();
    const error = await client.me.get().catch((reason: unknown) => reason);
    expect(error).toMatchObject({ status: 401, code: 'Unauthorized' });
    expect(await client.auth.getSession()).toBeNull();
    expect(events).toEqual(['INITIAL_SESSION', 'SIGNED_OUT']);
  });

  it('keeps using a token that has not expired yet when a refresh cannot reach the server', async () => {
    let offline = false;
    const fake = fakeFetch((call) => {
      if (call.path === '/auth/sign-in') return json(200, tokenAnswer());
      if (offline && call.path === '/auth/refresh') return networkFailure();
      return json(200, {});
    });
    const client = createClient({ url: URL, fetch: fake.fetch, retry: { retries: 0 } });
    const { session } = await client.auth.signIn({ email: 'ada@example.com', password: 'pw' });
    offline = true;
    vi.setSystemTime(Date.now() + 3600_000 - 10_000);
    await client.me.get();
    expect(fake.calls.at(-1)!.headers.authorization).toBe(`Bearer ${session!.accessToken}`);
    expect(await client.auth.getSession()).toEqual(session);
  });
});

describe('auth state', () => {
  it('announces sign-in, refresh and sign-out to listeners until they unsubscribe', async () => {
    const server = backend();
    const client = createClient({ url: URL, fetch: server.fetch });
    const events: AuthChangeEvent[] = [];
    const stop = client.auth.onAuthStateChange((event) => events.push(event));
    await client.auth.signIn({ email: 'ada@example.com', password: 'pw' });
    await client.auth.refresh();
    await client.auth.signOut();
    stop();
    await client.auth.signIn({ email: 'ada@example.com', password: 'pw' });
    expect(events).toEqual(['INITIAL_SESSION', 'SIGNED_IN', 'TOKEN_REFRESHED', 'SIGNED_OUT']);
  });

  it('signs out locally even when the server refuses the token, announcing it once', async () => {
    const fake = fakeFetch((call) => (call.path === '/auth/sign-in' ? json(200, tokenAnswer()) : json(401, { message: 'Unauthorized' })));
    const client = createClient({ url: URL, fetch: fake.fetch });
    await client.auth.signIn({ email: 'ada@example.com', password: 'pw' });
    const events: AuthChangeEvent[] = [];
    client.auth.onAuthStateChange((event) => events.push(event));
    await client.auth.signOut();
    expect(await client.auth.getSession()).toBeNull();
    expect(events).toEqual(['INITIAL_SESSION', 'SIGNED_OUT']);
  });

  it('forgets the session after deleting the account', async () => {
    const server = backend(() => noContent());
    const client = createClient({ url: URL, fetch: server.fetch });
    await client.auth.signIn({ email: 'ada@example.com', password: 'pw' });
    await client.me.delete();
    expect(server.calls.at(-1)).toMatchObject({ method: 'DELETE', path: '/me' });
    expect(await client.auth.getSession()).toBeNull();
  });
});
