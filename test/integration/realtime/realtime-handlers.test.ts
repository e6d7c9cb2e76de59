/**
 * The realtime handlers through their full stack ($connect, $default, $disconnect and the fan-out),
 * with the example backend, real access tokens from the Cognito emulator, documents written by the
 * data handlers, DynamoDB Local, and the local `@connections` API recording what it is asked to post.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/adapters/aws-clients.js';
import { DynamoDbConnectionStore } from '../../../functions/adapters/dynamodb-connection-store.js';
import { DynamoDbInboxStore, inboxKey } from '../../../functions/adapters/dynamodb-inbox-store.js';
import { documentKey } from '../../../functions/core/documents/document-item.js';
import { MAX_FRAME_BYTES } from '../../../functions/core/realtime/realtime-protocol.js';
import { handler as createDocument } from '../../../functions/data/create-document.js';
import { handler as deleteDocument } from '../../../functions/data/delete-document.js';
import { handler as getDocument } from '../../../functions/data/get-document.js';
import { handler as updateDocument } from '../../../functions/data/update-document.js';
import { handler as listNotifications } from '../../../functions/push/list-notifications.js';
import { callHttp } from '../../fixtures/lambda.js';
import { claimsOf, startAuthHarness, type AuthHarness, type TestUser } from '../auth/auth-harness.js';
import { startRealtimeHarness, type TestConnection } from './realtime-harness.js';

let auth: AuthHarness;
let realtime: Awaited<ReturnType<typeof startRealtimeHarness>>;
let alice: TestUser;
let bob: TestUser;
const table = createDocumentClient();
const store = new DynamoDbConnectionStore(table, process.env.LAMBASE_TABLE_NAME!);

beforeAll(async () => {
  auth = await startAuthHarness();
  realtime = await startRealtimeHarness();
  [alice, bob] = await Promise.all([auth.confirmedUser(), auth.confirmedUser()]);
});

afterAll(async () => {
  await realtime?.stop();
  await auth?.stop();
  table.destroy();
});

type Doc = Record<string, unknown> & { id: string };
const as = (user: TestUser) => claimsOf(user.accessToken);
const data = {
  create: async (user: TestUser, collection: string, body: unknown) =>
    (await callHttp(createDocument, { method: 'POST', path: `/data/${collection}`, routeKey: 'POST /data/{collection}', pathParameters: { collection }, json: body, claims: as(user) })).body as Doc,
  get: async (user: TestUser, collection: string, id: string) =>
    (await callHttp(getDocument, { path: `/data/${collection}/${id}`, routeKey: 'GET /data/{collection}/{id}', pathParameters: { collection, id }, claims: as(user) })).body as Doc,
  patch: (user: TestUser, collection: string, id: string, body: unknown) =>
    callHttp(updateDocument, { method: 'PATCH', path: `/data/${collection}/${id}`, routeKey: 'PATCH /data/{collection}/{id}', pathParameters: { collection, id }, json: body, claims: as(user) }),
  remove: (user: TestUser, collection: string, id: string) =>
    callHttp(deleteDocument, { method: 'DELETE', path: `/data/${collection}/${id}`, routeKey: 'DELETE /data/{collection}/{id}', pathParameters: { collection, id }, claims: as(user) }),
};
/** The stored item of a document, as the stream's images hold it. */
const itemOf = (collection: string, id: string) => realtime.item(documentKey(collection, id));

async function signedIn(user: TestUser): Promise<TestConnection> {
  const connection = await realtime.connect();
  expect(await connection.send({ type: 'auth', token: user.accessToken })).toEqual({ type: 'authed', userId: user.userId });
  return connection;
}

async function subscribed(connection: TestConnection, frame: Record<string, unknown>) {
  expect(await connection.send({ type: 'subscribe', ...frame })).toEqual({ type: 'subscribed', id: frame.id });
}

/** A post created, its INSERT committed to the fan-out; returns the document. */
async function publish(user: TestUser, body: Record<string, unknown>): Promise<Doc> {
  const post = await data.create(user, 'posts', body);
  await realtime.commit({ eventName: 'INSERT', after: await itemOf('posts', post.id) });
  return post;
}

describe('frames', () => {
  it('answers every bad frame with ValidationFailed (with its id when it has one) and keeps serving the connection', async () => {
    const connection = await realtime.connect();
    const bad: [Record<string, unknown> | string | Buffer, string | undefined][] = [
      ['not json', undefined],
      ['[1, 2]', undefined],
      ['"auth"', undefined],
      [{ type: 'dance' }, undefined],
      [{ type: 'dance', id: 'd' }, 'd'],
      [{ id: 'no-type' }, 'no-type'],
      [{ type: 'subscribe', id: 'a' }, 'a'],
      [{ type: 'subscribe', id: 'b', collection: 'posts', where: { title: { eq: 'x' } } }, 'b'],
      [{ type: 'subscribe', id: 'c', collection: 'posts', colour: 'red' }, 'c'],
      [{ type: 'subscribe', id: 'e', channel: 'everything' }, 'e'],
      [{ type: 'subscribe', id: '', collection: 'posts' }, ''],
      [{ type: 'unsubscribe' }, undefined],
      [{ type: 'auth' }, undefined],
      [Buffer.from(JSON.stringify({ type: 'ping' })), undefined],
    ];
    for (const [frame, id] of bad) {
      const answer = await connection.send(frame);
      expect(answer, JSON.stringify(frame.toString())).toMatchObject({ type: 'error', code: 'ValidationFailed', message: expect.any(String) });
      expect(answer).toEqual(id === undefined ? expect.not.objectContaining({ id: expect.anything() }) : expect.objectContaining({ id }));
    }
    expect(await connection.send({ type: 'ping' })).toEqual({ type: 'pong' });
    expect(connection.posted()).toEqual([]);
  });

  it('lets an anonymous connection subscribe to public posts only, refusing the rest with its id', async () => {
    const anonymous = await realtime.connect();
    await subscribed(anonymous, { id: 'p', collection: 'posts' });
    expect(await anonymous.send({ type: 'subscribe', id: 'n', collection: 'notes' })).toMatchObject({ type: 'error', id: 'n', code: 'Unauthorized' });
    expect(await anonymous.send({ type: 'subscribe', id: 'i', channel: 'notifications' })).toMatchObject({ type: 'error', id: 'i', code: 'Unauthorized' });
    expect(await anonymous.send({ type: 'subscribe', id: 'x', collection: 'nothing' })).toMatchObject({ type: 'error', id: 'x', code: 'NotFound' });
    expect(await anonymous.send({ type: 'subscribe', id: 'w', collection: 'posts', where: { colour: 'red' } })).toMatchObject({ type: 'error', id: 'w', code: 'ValidationFailed' });
    expect(await anonymous.send({ type: 'subscribe', id: 'o', collection: 'posts', where: { owner: alice.userId, published: true } })).toEqual({ type: 'subscribed', id: 'o' });
  });
});

describe('auth', () => {
  it('authenticates with an access token; an ID token, an expired token or garbage answer Unauthorized and change nothing', async () => {
    auth.moveClock(-2 * 60 * 60 * 1000);
    const expired = await auth.confirmedUser().finally(() => auth.resetClock());
    const anonymous = await realtime.connect();
    const connection = await signedIn(alice);
    for (const token of [alice.idToken, expired.accessToken, 'garbage', `${alice.accessToken}x`]) {
      for (const target of [anonymous, connection]) {
        const answer = await target.send({ type: 'auth', token });
        expect(answer).toMatchObject({ type: 'error', code: 'Unauthorized' });
        expect(answer).not.toHaveProperty('id');
      }
    }
    // Still anonymous, and still Alice.
    expect(await anonymous.send({ type: 'subscribe', id: 'n', collection: 'notes' })).toMatchObject({ type: 'error', code: 'Unauthorized' });
    await subscribed(connection, { id: 'n', collection: 'notes' });
  });

  it('ends every subscription when another user authenticates on the connection', async () => {
    const connection = await signedIn(alice);
    await subscribed(connection, { id: 'a-notes', collection: 'notes' });
    await subscribed(connection, { id: 'a-posts', collection: 'posts' });
    expect(await connection.send({ type: 'auth', token: bob.accessToken })).toEqual({ type: 'authed', userId: bob.userId });
    expect(connection.posted()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'error', id: 'a-notes', code: 'Unauthorized' }),
        expect.objectContaining({ type: 'error', id: 'a-posts', code: 'Unauthorized' }),
      ]),
    );
    expect(await store.subscriptionsOf(connection.connectionId)).toEqual([]);
    const note = await data.create(alice, 'notes', { title: 'for Alice only' });
    await realtime.commit({ eventName: 'INSERT', after: await itemOf('notes', note.id) });
    expect(connection.posted()).toEqual([]);
  });
});

describe('changes', () => {
  it('sends a note\'s created, updated and deleted to its owner, in order, each as GET returns it; another user\'s socket gets nothing', async () => {
    const mine = await signedIn(alice);
    const theirs = await signedIn(bob);
    const anonymous = await realtime.connect();
    await subscribed(mine, { id: 'notes', collection: 'notes' });
    await subscribed(theirs, { id: 'notes', collection: 'notes' });
    await subscribed(anonymous, { id: 'posts', collection: 'posts' });

    const note = await data.create(alice, 'notes', { title: 'Groceries' });
    const created = await itemOf('notes', note.id);
    const asCreated = await data.get(alice, 'notes', note.id);
    expect((await data.patch(alice, 'notes', note.id, { pinned: true })).statusCode).toBe(200);
    const updated = await itemOf('notes', note.id);
    const asUpdated = await data.get(alice, 'notes', note.id);
    expect((await data.remove(alice, 'notes', note.id)).statusCode).toBe(204);
    const result = await realtime.commit(
      { eventName: 'INSERT', after: created },
      { eventName: 'MODIFY', before: created, after: updated },
      { eventName: 'REMOVE', before: updated },
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect(mine.posted()).toEqual([
      { type: 'change', id: 'notes', event: 'created', document: asCreated },
      { type: 'change', id: 'notes', event: 'updated', document: asUpdated },
      { type: 'change', id: 'notes', event: 'deleted', document: { id: note.id } },
    ]);
    expect(theirs.posted()).toEqual([]);
    expect(anonymous.posted()).toEqual([]);
  });

  it('filters by where (equalities, before or after an update) and by docId', async () => {
    const watcher = await realtime.connect();
    const tag = randomUUID();
    await subscribed(watcher, { id: 'tagged', collection: 'posts', where: { category: tag } });
    const other = await publish(alice, { title: 'elsewhere', published: true, category: 'other' });
    const post = await publish(alice, { title: 'here', published: true, category: tag });
    await subscribed(watcher, { id: 'one', collection: 'posts', docId: post.id });
    expect(watcher.posted()).toEqual([expect.objectContaining({ id: 'tagged', event: 'created', document: expect.objectContaining({ id: post.id }) })]);

    // Leaves the filter: sent (it matched before); then changes outside it: not sent to `tagged`.
    const before = await itemOf('posts', post.id);
    await data.patch(alice, 'posts', post.id, { category: 'moved' });
    const moved = await itemOf('posts', post.id);
    await data.patch(alice, 'posts', post.id, { title: 'still moved' });
    const renamed = await itemOf('posts', post.id);
    await realtime.commit({ eventName: 'MODIFY', before, after: moved }, { eventName: 'MODIFY', before: moved, after: renamed });
    await realtime.commit({ eventName: 'MODIFY', before: await itemOf('posts', other.id), after: await itemOf('posts', other.id) });
    expect(watcher.posted().map((frame) => [frame.type === 'change' && frame.id, frame.type === 'change' && frame.document.category])).toEqual([
      ['tagged', 'moved'],
      ['one', 'moved'],
      ['one', 'moved'],
    ]);
  });

  it('sends public posts to an anonymous socket, whoever wrote them', async () => {
    const anonymous = await realtime.connect();
    await subscribed(anonymous, { id: 'all', collection: 'posts' });
    const post = await publish(bob, { title: 'Hello world', published: false });
    expect(anonymous.posted()).toEqual([{ type: 'change', id: 'all', event: 'created', document: await data.get(alice, 'posts', post.id) }]);
  });

  it('sends a change whose frame would pass 32 KiB as { id } with truncated: true', async () => {
    const anonymous = await realtime.connect();
    await subscribed(anonymous, { id: 'big', collection: 'posts', where: { title: 'big one' } });
    const post = await publish(alice, { title: 'big one', published: true, body: '😀'.repeat(10_000) });
    const frames = anonymous.posted();
    expect(frames).toEqual([{ type: 'change', id: 'big', event: 'created', document: { id: post.id }, truncated: true }]);
    expect(Buffer.byteLength(JSON.stringify({ type: 'change', id: 'big', event: 'created', document: await data.get(alice, 'posts', post.id) }))).toBeGreaterThan(MAX_FRAME_BYTES);
  });
});

describe('the notifications channel', () => {
  it('delivers a user\'s new inbox items, in the inbox\'s shape, to that user only; marking one read is no news', async () => {
    const mine = await signedIn(alice);
    const theirs = await signedIn(bob);
    await subscribed(mine, { id: 'inbox', channel: 'notifications' });
    await subscribed(theirs, { id: 'inbox', channel: 'notifications' });
    const inbox = new DynamoDbInboxStore(table, process.env.LAMBASE_TABLE_NAME!);
    const notificationId = randomUUID();
    await inbox.putMany([alice.userId], { notificationId, title: 'Hi Alice', body: 'A message', data: { postId: 'p1' }, createdAt: new Date().toISOString() }, new Date(Date.now() + 86_400_000));
    const stored = await realtime.item(inboxKey(alice.userId, notificationId));
    await realtime.commit({ eventName: 'INSERT', after: stored });
    await realtime.commit({ eventName: 'MODIFY', before: stored, after: { ...stored, read: true } });

    const listed = await callHttp(listNotifications, { path: '/notifications', routeKey: 'GET /notifications', claims: as(alice) });
    const item = (listed.body as { items: { notificationId: string }[] }).items.find((candidate) => candidate.notificationId === notificationId);
    expect(mine.posted()).toEqual([{ type: 'notification', id: 'inbox', notification: item }]);
    expect(theirs.posted()).toEqual([]);
  });
});

describe('subscriptions', () => {
  it('replaces a subscription by its id, answers unsubscribed for an unknown id, and refuses the 101st', async () => {
    const connection = await signedIn(alice);
    await subscribed(connection, { id: 'x', collection: 'notes' });
    await subscribed(connection, { id: 'x', collection: 'posts', where: { title: 'replaced' } });
    const note = await data.create(alice, 'notes', { title: 'not watched any more' });
    await realtime.commit({ eventName: 'INSERT', after: await itemOf('notes', note.id) });
    await publish(alice, { title: 'replaced', published: true });
    expect(connection.posted().map((frame) => frame.type === 'change' && frame.document.title)).toEqual(['replaced']);

    expect(await connection.send({ type: 'unsubscribe', id: 'never-was' })).toEqual({ type: 'unsubscribed', id: 'never-was' });
    for (let i = 1; i < 100; i++) await subscribed(connection, { id: `s${i}`, collection: 'posts', docId: `doc-${i}` });
    expect(await store.subscriptionsOf(connection.connectionId)).toHaveLength(100);
    expect(await connection.send({ type: 'subscribe', id: 'one-more', collection: 'posts' })).toMatchObject({ type: 'error', id: 'one-more', code: 'ValidationFailed' });
    await subscribed(connection, { id: 's7', collection: 'notes' });
    expect(await connection.send({ type: 'unsubscribe', id: 's7' })).toEqual({ type: 'unsubscribed', id: 's7' });
    await subscribed(connection, { id: 'one-more', collection: 'posts' });
  });

  it('forgets a closed connection and its subscriptions, and one API Gateway reports gone at its first delivery', async () => {
    const closing = await signedIn(alice);
    const vanishing = await signedIn(alice);
    await subscribed(closing, { id: 'n', collection: 'notes' });
    await subscribed(vanishing, { id: 'n', collection: 'notes' });
    await closing.close();
    expect(await store.get(closing.connectionId)).toBeUndefined();
    expect(await store.subscriptionsOf(closing.connectionId)).toEqual([]);

    realtime.connections.drop(vanishing.connectionId);
    const note = await data.create(alice, 'notes', { title: 'to nobody' });
    await realtime.commit({ eventName: 'INSERT', after: await itemOf('notes', note.id) });
    expect(await store.get(vanishing.connectionId)).toBeUndefined();
    expect(await store.subscriptionsOf(vanishing.connectionId)).toEqual([]);
  });

  it('serves a client that reconnects and subscribes again on its new connection only', async () => {
    const first = await signedIn(alice);
    await subscribed(first, { id: 's1', collection: 'notes' });
    await first.close();
    const second = await signedIn(alice);
    await subscribed(second, { id: 's1', collection: 'notes' });
    const note = await data.create(alice, 'notes', { title: 'after the reconnect' });
    await realtime.commit({ eventName: 'INSERT', after: await itemOf('notes', note.id) });
    expect(first.posted()).toEqual([]);
    expect(second.posted()).toEqual([expect.objectContaining({ id: 's1', event: 'created', document: expect.objectContaining({ id: note.id }) })]);
  });
});
