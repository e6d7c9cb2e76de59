/**
 * The realtime socket as a subscriber lives it: one socket for everything, `auth` before any
 * `subscribe` and again on each token refresh, reconnects with growing backoff that re-subscribe,
 * and a keep-alive ping whose missing pong counts as a lost connection.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient, type ChangeEvent, type InboxNotification, type LambaseError } from '../../src/index.js';
import { fakeFetch, json, refreshAnswer, settle, tokenAnswer } from '../fakes/fake-fetch.js';
import { fakeSockets } from '../fakes/fake-websocket.js';

const TIMINGS = { pingIntervalMs: 60_000, pongTimeoutMs: 5_000, reconnectBaseMs: 1_000, reconnectMaxMs: 8_000 };

function setup(options: { signedIn?: boolean } = {}) {
  const sockets = fakeSockets();
  let refreshes = 0;
  const fake = fakeFetch((call) => {
    if (call.path === '/auth/sign-in') return json(200, tokenAnswer());
    if (call.path === '/auth/refresh') {
      refreshes++;
      return json(200, refreshAnswer());
    }
    return json(200, {});
  });
  const client = createClient({ url: 'https://api.example.com/', fetch: fake.fetch, WebSocket: sockets.WebSocket, realtime: TIMINGS });
  const ready = (async () => {
    if (options.signedIn !== false) await client.auth.signIn({ email: 'ada@example.com', password: 'pw' });
  })();
  return {
    client,
    sockets,
    ready,
    get refreshes() {
      return refreshes;
    },
    token: async () => (await client.auth.getSession())!.accessToken,
  };
}

/** The server's side of the handshake: open, answer `auth`, confirm each `subscribe`. */
async function accept(socket: ReturnType<typeof fakeSockets>['last'], options: { expectAuth?: boolean } = {}) {
  socket.open();
  await settle();
  if (options.expectAuth !== false) {
    expect(socket.sent[0]).toMatchObject({ type: 'auth' });
    socket.receive({ type: 'authed', userId: 'user-1' });
    await settle();
  }
  for (const frame of socket.sent.filter((each) => each.type === 'subscribe')) socket.receive({ type: 'subscribed', id: frame.id });
  await settle();
}

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }));
afterEach(() => vi.useRealTimers());

describe('one socket', () => {
  it('authenticates first, then subscribes; changes and notifications reach their own callbacks', async () => {
    const { client, sockets, ready, token } = setup();
    await ready;
    const changes: ChangeEvent<{ id: string }>[] = [];
    const inbox: InboxNotification[] = [];
    const notes = client.collection('notes').subscribe({ pinned: true }, (change) => changes.push(change));
    const notifications = client.notifications.subscribe((notification) => inbox.push(notification));
    await settle();
    expect(sockets.sockets).toHaveLength(1);
    expect(sockets.last.url).toBe('wss://api.example.com/realtime');
    sockets.last.open();
    await settle();
    // Nothing but auth until the server answers it.
    expect(sockets.last.sent).toEqual([{ type: 'auth', token: await token() }]);
    sockets.last.receive({ type: 'authed', userId: 'user-1' });
    await settle();
    expect(sockets.last.sent.slice(1)).toEqual([
      { type: 'subscribe', id: 's1', collection: 'notes', where: { pinned: true } },
      { type: 'subscribe', id: 's2', channel: 'notifications' },
    ]);
    sockets.last.receive({ type: 'subscribed', id: 's1' });
    sockets.last.receive({ type: 'subscribed', id: 's2' });
    const [stopNotes, stopInbox] = await Promise.all([notes, notifications]);

    const note = { id: 'n1', owner: 'user-1', createdAt: 't', updatedAt: 't', version: 1, title: 'A', pinned: true };
    sockets.last.receive({ type: 'change', id: 's1', event: 'created', document: note });
    sockets.last.receive({ type: 'change', id: 's1', event: 'deleted', document: { id: 'n0' }, truncated: false });
    sockets.last.receive({ type: 'notification', id: 's2', notification: { notificationId: 'm1', title: 'Welcome' } });
    expect(changes).toEqual([
      { event: 'created', document: note, truncated: undefined },
      { event: 'deleted', document: { id: 'n0' }, truncated: false },
    ]);
    expect(inbox).toEqual([{ notificationId: 'm1', title: 'Welcome' }]);

    stopNotes();
    expect(sockets.last.sent.at(-1)).toEqual({ type: 'unsubscribe', id: 's1' });
    expect(sockets.last.readyState).toBe(1);
    stopInbox();
    // The last subscription gone, the socket goes too.
    expect(sockets.last.readyState).toBe(3);
    expect(sockets.last.closedWith).toBe(1000);
  });

  it('subscribes anonymously, without an auth frame, when nobody is signed in', async () => {
    const { client, sockets } = setup({ signedIn: false });
    const subscribed = client.collection('posts').subscribe({ category: 'news' }, () => {}, { docId: 'p1' });
    await settle();
    sockets.last.open();
    await settle();
    expect(sockets.last.sent).toEqual([{ type: 'subscribe', id: 's1', collection: 'posts', where: { category: 'news' }, docId: 'p1' }]);
    sockets.last.receive({ type: 'subscribed', id: 's1' });
    await expect(subscribed).resolves.toBeTypeOf('function');
  });

  it('rejects a refused subscription with LambaseError, and ends one the server ends later', async () => {
    const { client, sockets, ready } = setup();
    await ready;
    const refused = client.collection('nope').subscribe(undefined, () => {}).catch((reason: unknown) => reason);
    const errors: LambaseError[] = [];
    const kept = client.collection('notes').subscribe(undefined, () => {}, { onError: (error) => errors.push(error) });
    await settle();
    sockets.last.open();
    await settle();
    sockets.last.receive({ type: 'authed', userId: 'user-1' });
    await settle();
    sockets.last.receive({ type: 'error', id: 's1', code: 'NotFound', message: 'No collection nope' });
    sockets.last.receive({ type: 'subscribed', id: 's2' });
    expect(await refused).toMatchObject({ name: 'LambaseError', status: 404, code: 'NotFound', message: 'No collection nope' });
    await kept;
    sockets.last.receive({ type: 'error', id: 's2', code: 'Forbidden', message: 'No longer readable' });
    expect(errors).toMatchObject([{ status: 403, code: 'Forbidden' }]);
    expect(sockets.last.readyState).toBe(3);
  });
});

describe('tokens', () => {
  it('sends auth again with the new token whenever the session refreshes', async () => {
    const { client, sockets, ready, token } = setup();
    await ready;
    void client.collection('notes').subscribe(undefined, () => {});
    await settle();
    await accept(sockets.last);
    await client.auth.refresh();
    await settle();
    expect(sockets.last.sent.at(-1)).toEqual({ type: 'auth', token: await token() });
    expect(sockets.sockets).toHaveLength(1);
  });

  it('refreshes the token before it expires while subscribed, and re-authenticates', async () => {
    const state = setup();
    await state.ready;
    void state.client.collection('notes').subscribe(undefined, () => {});
    await settle();
    await accept(state.sockets.last);
    state.sockets.last.answerPings = true;
    const before = await state.token();
    await vi.advanceTimersByTimeAsync(3600_000 - 60_000);
    await settle();
    expect(state.refreshes).toBe(1);
    const after = await state.token();
    expect(after).not.toBe(before);
    expect(state.sockets.sockets).toHaveLength(1);
    expect(state.sockets.last.sent.filter((frame) => frame.type === 'auth')).toEqual([
      { type: 'auth', token: before },
      { type: 'auth', token: after },
    ]);
  });

  it('renews a subscription the server ended as Unauthorized (token expired), once', async () => {
    const { client, sockets, ready } = setup();
    await ready;
    const errors: LambaseError[] = [];
    void client.collection('notes').subscribe(undefined, () => {}, { onError: (error) => errors.push(error) });
    await settle();
    await accept(sockets.last);
    sockets.last.sent.length = 0;
    sockets.last.receive({ type: 'error', id: 's1', code: 'Unauthorized', message: 'Token expired' });
    await settle();
    expect(sockets.last.sent).toMatchObject([{ type: 'auth' }]);
    sockets.last.receive({ type: 'authed', userId: 'user-1' });
    await settle();
    expect(sockets.last.sent.at(-1)).toEqual({ type: 'subscribe', id: 's1', collection: 'notes' });
    // A second refusal before it is confirmed again ends it.
    sockets.last.receive({ type: 'error', id: 's1', code: 'Unauthorized', message: 'Still no' });
    expect(errors).toMatchObject([{ code: 'Unauthorized' }]);
  });

  it('starts over anonymously after sign-out', async () => {
    const { client, sockets, ready } = setup();
    await ready;
    void client.collection('posts').subscribe(undefined, () => {});
    await settle();
    await accept(sockets.last);
    await client.auth.signOut();
    await settle();
    expect(sockets.sockets).toHaveLength(2);
    expect(sockets.sockets[0]!.readyState).toBe(3);
    sockets.last.open();
    await settle();
    expect(sockets.last.sent).toEqual([{ type: 'subscribe', id: 's1', collection: 'posts' }]);
  });
});

describe('reconnects', () => {
  it('reconnects with growing backoff, then authenticates and re-subscribes every subscription', async () => {
    const { client, sockets, ready } = setup();
    await ready;
    const confirmations: string[] = [];
    void client.collection('notes').subscribe({ pinned: true }, () => {}, { onSubscribed: () => confirmations.push('notes') });
    void client.notifications.subscribe(() => {}, { onSubscribed: () => confirmations.push('inbox') });
    await settle();
    await accept(sockets.last);
    expect(confirmations).toEqual(['notes', 'inbox']);

    sockets.last.drop();
    // First retry within the base delay (jittered between half and all of it).
    await vi.advanceTimersByTimeAsync(499);
    expect(sockets.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(501);
    expect(sockets.sockets).toHaveLength(2);

    // That attempt fails too: the next waits at least twice as long.
    sockets.last.drop();
    await vi.advanceTimersByTimeAsync(999);
    expect(sockets.sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1001);
    expect(sockets.sockets).toHaveLength(3);

    await accept(sockets.last);
    expect(sockets.last.sent).toMatchObject([
      { type: 'auth' },
      { type: 'subscribe', id: 's1', collection: 'notes', where: { pinned: true } },
      { type: 'subscribe', id: 's2', channel: 'notifications' },
    ]);
    expect(confirmations).toEqual(['notes', 'inbox', 'notes', 'inbox']);

    // A confirmed connection resets the backoff.
    sockets.last.drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets.sockets).toHaveLength(4);
  });

  it('does not reconnect after the last subscription is gone or after disconnect()', async () => {
    const { client, sockets, ready } = setup();
    await ready;
    const stop = client.collection('notes').subscribe(undefined, () => {});
    await settle();
    await accept(sockets.last);
    (await stop)();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets.sockets).toHaveLength(1);

    void client.collection('notes').subscribe(undefined, () => {});
    await settle();
    await accept(sockets.last);
    client.realtime.disconnect();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets.sockets).toHaveLength(2);
  });
});

describe('keep-alive', () => {
  it('pings within the idle limit; a missing pong closes the socket and reconnects', async () => {
    const { client, sockets, ready } = setup();
    await ready;
    void client.collection('notes').subscribe(undefined, () => {});
    await settle();
    await accept(sockets.last);
    const first = sockets.last;

    await vi.advanceTimersByTimeAsync(TIMINGS.pingIntervalMs);
    expect(first.sent.at(-1)).toEqual({ type: 'ping' });
    first.receive({ type: 'pong' });
    await vi.advanceTimersByTimeAsync(TIMINGS.pongTimeoutMs);
    expect(first.readyState).toBe(1);

    await vi.advanceTimersByTimeAsync(TIMINGS.pingIntervalMs - TIMINGS.pongTimeoutMs);
    expect(first.sent.filter((frame) => frame.type === 'ping')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(TIMINGS.pongTimeoutMs);
    expect(first.readyState).toBe(3);
    await vi.advanceTimersByTimeAsync(TIMINGS.reconnectBaseMs);
    expect(sockets.sockets).toHaveLength(2);
  });
});

it('derives the realtime URL from the API URL, or takes the outputs’ one', () => {
  const sockets = fakeSockets();
  const fromOutputs = createClient({
    outputs: { version: 1, apiUrl: 'https://x.execute-api.eu-west-1.amazonaws.com', realtimeUrl: 'wss://rt.example.com/prod' },
    WebSocket: sockets.WebSocket,
  });
  void fromOutputs.notifications.subscribe(() => {}).catch(() => {});
  expect(sockets.last.url).toBe('wss://rt.example.com/prod');
  fromOutputs.realtime.disconnect();

  const local = createClient({ url: 'http://127.0.0.1:4000', WebSocket: sockets.WebSocket });
  void local.collection('posts').subscribe(undefined, () => {});
  expect(sockets.last.url).toBe('ws://127.0.0.1:4000/realtime');
  local.realtime.disconnect();
});
