/**
 * Issue 13's acceptance in local mode, with real WebSocket clients on ws://…/realtime and changes
 * made over HTTP: a subscriber gets a note's three changes in order; another user's socket gets
 * nothing; an anonymous socket on `posts` gets public posts only; the notifications channel
 * delivers an admin's push to its user. "Nothing" is proven without waiting on a clock: each silent
 * socket then receives a later change of its own, which the fan-out can only send after the
 * earlier ones (one stream, read in order, each change's frames posted before the next).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { api, createUser, STRONG_PASSWORD, startTestBackend, uniqueEmail, type TestBackend, type TestUser } from '../fixtures/local-backend.js';

type Frame = Record<string, unknown> & { type: string; id?: string };

/** A WebSocket client that keeps every frame and lets a test wait for the next one. */
async function connect(url: string) {
  const ws = new WebSocket(url);
  const frames: Frame[] = [];
  let read = 0;
  let notify: (() => void) | undefined;
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Frame);
    notify?.();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = async (): Promise<Frame> => {
    while (read >= frames.length) await new Promise<void>((resolve) => (notify = resolve));
    return frames[read++]!;
  };
  return {
    ws,
    frames,
    next,
    /** Sends a frame and resolves with the next frame received (its answer: nothing else is expected meanwhile). */
    async request(frame: Frame): Promise<Frame> {
      ws.send(JSON.stringify(frame));
      return next();
    },
  };
}

let local: TestBackend;
const admin = { email: uniqueEmail('admin'), password: STRONG_PASSWORD };
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  local = await startTestBackend({ admin });
  [alice, bob] = await Promise.all([createUser(local), createUser(local)]);
});
afterAll(() => local?.cleanup());

async function signedIn(user: TestUser) {
  const socket = await connect(local.realtimeUrl);
  expect(await socket.request({ type: 'auth', token: user.accessToken })).toEqual({ type: 'authed', userId: user.userId });
  return socket;
}

// Each first call of a function starts its worker: on a busy 2-core machine a test touching several needs more than a minute.
describe('realtime in local mode', { timeout: 120_000 }, () => {
  it('sends a subscriber its note\'s three changes in order, as GET returns them; another user\'s socket gets nothing', async () => {
    const mine = await signedIn(alice);
    const theirs = await signedIn(bob);
    expect(await mine.request({ type: 'subscribe', id: 'notes', collection: 'notes' })).toEqual({ type: 'subscribed', id: 'notes' });
    expect(await theirs.request({ type: 'subscribe', id: 'notes', collection: 'notes' })).toEqual({ type: 'subscribed', id: 'notes' });

    const created = await api(local.url, 'POST', '/data/notes', { as: alice, body: { title: 'Groceries' } });
    expect(await mine.next()).toEqual({ type: 'change', id: 'notes', event: 'created', document: created.body });
    const updated = await api(local.url, 'PATCH', `/data/notes/${created.body.id}`, { as: alice, body: { pinned: true } });
    expect(await mine.next()).toEqual({ type: 'change', id: 'notes', event: 'updated', document: updated.body });
    expect((await api(local.url, 'DELETE', `/data/notes/${created.body.id}`, { as: alice })).status).toBe(204);
    expect(await mine.next()).toEqual({ type: 'change', id: 'notes', event: 'deleted', document: { id: created.body.id } });

    const own = await api(local.url, 'POST', '/data/notes', { as: bob, body: { title: 'Bob\'s' } });
    expect(await theirs.next()).toMatchObject({ type: 'change', event: 'created', document: { id: own.body.id, owner: bob.userId } });
    expect(theirs.frames).toHaveLength(3); // authed, subscribed, and Bob's own note only
  });

  it('sends an anonymous socket on posts the public posts, and nothing of anyone\'s notes', async () => {
    const anonymous = await connect(local.realtimeUrl);
    expect(await anonymous.request({ type: 'subscribe', id: 'posts', collection: 'posts' })).toEqual({ type: 'subscribed', id: 'posts' });
    expect(await anonymous.request({ type: 'subscribe', id: 'notes', collection: 'notes' })).toMatchObject({ type: 'error', id: 'notes', code: 'Unauthorized' });
    await api(local.url, 'POST', '/data/notes', { as: alice, body: { title: 'private' } });
    const post = await api(local.url, 'POST', '/data/posts', { as: alice, body: { title: 'Hello', published: true } });
    expect(await anonymous.next()).toEqual({ type: 'change', id: 'posts', event: 'created', document: post.body });
    expect(anonymous.frames).toHaveLength(3);
  });

  it('delivers an admin\'s push to its user\'s notifications channel, as the inbox lists it, and to no one else', async () => {
    const signIn = await api<{ accessToken: string }>(local.url, 'POST', '/auth/sign-in', { body: admin });
    const mine = await signedIn(alice);
    const theirs = await signedIn(bob);
    expect(await mine.request({ type: 'subscribe', id: 'inbox', channel: 'notifications' })).toEqual({ type: 'subscribed', id: 'inbox' });
    expect(await theirs.request({ type: 'subscribe', id: 'inbox', channel: 'notifications' })).toEqual({ type: 'subscribed', id: 'inbox' });

    const sent = await api(local.url, 'POST', '/push/send', { as: signIn.body.accessToken, body: { to: { userIds: [alice.userId] }, notification: { title: 'Hi Alice', body: 'From the admin', data: { k: 'v' } } } });
    expect(sent.status).toBe(202);
    const frame = await mine.next();
    const inbox = await api<{ items: { notificationId: string }[] }>(local.url, 'GET', '/notifications', { as: alice });
    expect(frame).toEqual({ type: 'notification', id: 'inbox', notification: inbox.body.items.find((item) => item.notificationId === sent.body.notificationId) });
    expect(frame).toMatchObject({ notification: { title: 'Hi Alice', body: 'From the admin', data: { k: 'v' }, read: false } });

    await api(local.url, 'POST', '/push/send', { as: signIn.body.accessToken, body: { to: { userIds: [bob.userId] }, notification: { title: 'Hi Bob', body: 'Yours' } } });
    expect(await theirs.next()).toMatchObject({ type: 'notification', notification: { title: 'Hi Bob' } });
    expect(theirs.frames).toHaveLength(3);
  });

  it('answers bad frames with an error and keeps the connection; a client that reconnects subscribes again', async () => {
    const first = await signedIn(alice);
    expect(await first.request({ type: 'dance' } as Frame)).toMatchObject({ type: 'error', code: 'ValidationFailed' });
    first.ws.send('{not json');
    expect(await first.next()).toMatchObject({ type: 'error', code: 'ValidationFailed' });
    expect(await first.request({ type: 'ping' })).toEqual({ type: 'pong' });
    expect(await first.request({ type: 'subscribe', id: 'n', collection: 'notes' })).toEqual({ type: 'subscribed', id: 'n' });
    first.ws.close();

    const second = await signedIn(alice);
    expect(await second.request({ type: 'subscribe', id: 'n', collection: 'notes' })).toEqual({ type: 'subscribed', id: 'n' });
    const note = await api(local.url, 'POST', '/data/notes', { as: alice, body: { title: 'after reconnecting' } });
    expect(await second.next()).toMatchObject({ type: 'change', id: 'n', event: 'created', document: { id: note.body.id } });
  });
});
