/**
 * Rules per subscriber, through the realtime use cases with every kind of rule and caller, the
 * DynamoDB connection store on DynamoDB Local, a movable clock and tokens the test makes up:
 * a change reaches a socket exactly when GET would show that socket's caller the document, and
 * never otherwise. Also: expired tokens (noticed at delivery and at the next frame), refreshed and
 * changed identities, connections API Gateway reports gone, and failures of the fan-out.
 */
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDocumentClient } from '../../../functions/adapters/aws-clients.js';
import { DynamoDbConnectionStore } from '../../../functions/adapters/dynamodb-connection-store.js';
import { DynamoDbDocumentStore } from '../../../functions/adapters/dynamodb-document-store.js';
import type { AccessRule, Caller } from '../../../functions/core/config/access-rules.js';
import { defineBackend } from '../../../functions/core/config/define-backend.js';
import { toItem, type DocumentItem } from '../../../functions/core/documents/document-item.js';
import { DocumentService } from '../../../functions/core/documents/document-service.js';
import { ApiError } from '../../../functions/core/errors.js';
import { pageCursors } from '../../../functions/core/pagination/cursor.js';
import { openConnection, receiveFrame } from '../../../functions/core/realtime/connections.js';
import { fanOut, fanOutInOrder, type TableChange } from '../../../functions/core/realtime/fan-out.js';
import type { ConnectionStore, PostOutcome } from '../../../functions/core/realtime/realtime-ports.js';
import type { ClientFrame, RealtimeCaller, ServerFrame } from '../../../functions/core/realtime/realtime-protocol.js';

const uniform = (rule: AccessRule | AccessRule[]) => ({ read: rule, create: rule, update: rule, delete: rule });
const fields = { title: z.string(), colour: z.string().optional() };
const backend = defineBackend({
  collections: {
    pub: { fields, access: uniform('public') },
    signed: { fields, access: uniform('authenticated') },
    own: { fields, access: uniform('owner') },
    team: { fields, access: uniform('group:editors') },
    mixed: { fields, access: uniform(['owner', 'group:editors']) },
  },
  auth: { adminGroup: 'admin' },
});

const table = createDocumentClient();
const tableName = process.env.LAMBASE_TABLE_NAME!;

/** Frames posted through `@connections`, per connection; a test can make a connection gone (410). */
class RecordingMessenger {
  readonly frames = new Map<string, ServerFrame[]>();
  readonly gone = new Set<string>();
  /** Posts tried, per connection (gone or not). */
  readonly attempts = new Map<string, number>();
  async post(connectionId: string, frame: ServerFrame): Promise<PostOutcome> {
    this.attempts.set(connectionId, (this.attempts.get(connectionId) ?? 0) + 1);
    if (this.gone.has(connectionId)) return 'gone';
    this.frames.set(connectionId, [...(this.frames.get(connectionId) ?? []), frame]);
    return 'sent';
  }
  take(connectionId: string): ServerFrame[] {
    const frames = this.frames.get(connectionId) ?? [];
    this.frames.delete(connectionId);
    return frames;
  }
}

let now = Date.now();
const clock = { now: () => new Date(now) };
const tokens = new Map<string, RealtimeCaller>();
const tokenFor = (caller: Caller, lifetimeSeconds = 3600) => {
  const token = randomUUID();
  tokens.set(token, { ...caller, expiresAt: Math.floor(now / 1000) + lifetimeSeconds });
  return token;
};
let messenger: RecordingMessenger;
let connections: ConnectionStore;
const deps = () => ({
  backend,
  connections,
  messenger,
  clock,
  verifyToken: async (token: string) => {
    const caller = tokens.get(token);
    if (!caller || caller.expiresAt * 1000 <= now) throw new Error('invalid token');
    return caller;
  },
});
const documents = new DocumentService({
  backend,
  store: new DynamoDbDocumentStore(table, tableName),
  cursors: pageCursors(async () => Buffer.alloc(32, 3)),
  clock,
  newId: () => randomUUID(),
});

beforeEach(() => {
  now = Date.now();
  messenger = new RecordingMessenger();
  connections = new DynamoDbConnectionStore(table, tableName);
});

const actors: Record<'anonymous' | 'owner' | 'other' | 'editor' | 'admin', Caller | undefined> = {
  anonymous: undefined,
  owner: { userId: `owner-${randomUUID()}`, groups: [] },
  other: { userId: `other-${randomUUID()}`, groups: [] },
  editor: { userId: `editor-${randomUUID()}`, groups: ['editors'] },
  admin: { userId: `admin-${randomUUID()}`, groups: ['admin'] },
};

type Socket = { id: string; send(frame: ClientFrame): Promise<ServerFrame> };

async function socket(caller?: Caller, lifetimeSeconds?: number): Promise<Socket> {
  const ref = { connectionId: `c-${randomUUID()}`, connectedAt: now };
  await openConnection(deps(), ref);
  // Domain errors become error frames, as the WebSocket stack maps them (functions/shared/websocket-handler.ts).
  const send = (frame: ClientFrame) =>
    receiveFrame(deps(), ref, frame).catch((error: unknown): ServerFrame => {
      if (!(error instanceof ApiError)) throw error;
      return { type: 'error', ...('id' in frame ? { id: frame.id } : {}), code: error.code, message: error.message };
    });
  const connection = { id: ref.connectionId, send };
  if (caller) expect(await connection.send({ type: 'auth', token: tokenFor(caller, lifetimeSeconds) })).toEqual({ type: 'authed', userId: caller.userId });
  return connection;
}

/** A document owned by `owner`, stored as the data API stores it (whatever the create rule). */
async function stored(collection: string, data: Record<string, unknown>, owner = actors.owner!.userId): Promise<DocumentItem> {
  const at = new Date(now).toISOString();
  const item = toItem(backend.collections[collection]!, { id: randomUUID(), owner, createdAt: at, updatedAt: at, version: 1 }, { title: 'seed', ...data });
  await new DynamoDbDocumentStore(table, tableName).create(item);
  return item;
}
const created = (collection: string, after: DocumentItem): TableChange => ({ kind: 'document', event: 'created', collection, after });

describe('rules per subscriber: a change reaches a socket exactly when GET shows its caller the document', () => {
  const expected: Record<string, string[]> = {
    pub: ['anonymous', 'owner', 'other', 'editor', 'admin'],
    signed: ['owner', 'other', 'editor', 'admin'],
    own: ['owner', 'admin'],
    team: ['editor', 'admin'],
    mixed: ['owner', 'editor', 'admin'],
  };

  it.each(Object.keys(expected))('%s', async (collection) => {
    const sockets = Object.fromEntries(await Promise.all(Object.entries(actors).map(async ([name, caller]) => [name, await socket(caller)] as const)));
    const answers: Record<string, string> = {};
    for (const [name, connection] of Object.entries(sockets)) {
      const answer = await connection.send({ type: 'subscribe', id: collection, collection });
      answers[name] = answer.type === 'error' ? answer.code : answer.type;
    }
    const item = await stored(collection, {});
    const next = { ...item, version: 2, data: { title: 'changed' } };
    await fanOut(deps(), created(collection, item));
    await fanOut(deps(), { kind: 'document', event: 'updated', collection, before: item, after: next });
    await fanOut(deps(), { kind: 'document', event: 'deleted', collection, before: next });

    const received = Object.entries(sockets).filter(([, connection]) => messenger.take(connection.id).length === 3).map(([name]) => name);
    const readers: string[] = [];
    for (const [name, caller] of Object.entries(actors)) {
      if (await documents.get(caller, collection, item.id).then(() => true, () => false)) readers.push(name);
    }
    expect(received).toEqual(expected[collection]);
    expect(received).toEqual(readers);
    // Whoever may read none of the collection cannot even subscribe: 401 anonymous, 403 signed in.
    for (const name of Object.keys(actors)) {
      const mayReadSome = expected[collection]!.includes(name) || (['own', 'mixed'].includes(collection) && name !== 'anonymous');
      expect(answers[name], name).toBe(mayReadSome ? 'subscribed' : name === 'anonymous' ? 'Unauthorized' : 'Forbidden');
    }
  });
});

describe('where and docId', () => {
  it('send a change only when the document matches where after it (or before it, for updates and deletes)', async () => {
    const watcher = await socket(actors.owner);
    const colour = randomUUID();
    await watcher.send({ type: 'subscribe', id: 'w', collection: 'own', where: { colour } });
    const matching = await stored('own', { colour });
    const other = await stored('own', { colour: 'none' });
    const recoloured = { ...matching, version: 2, data: { ...matching.data, colour: 'none' } };
    await fanOut(deps(), created('own', matching));
    await fanOut(deps(), created('own', other));
    await fanOut(deps(), { kind: 'document', event: 'updated', collection: 'own', before: matching, after: recoloured });
    await fanOut(deps(), { kind: 'document', event: 'updated', collection: 'own', before: recoloured, after: { ...recoloured, version: 3 } });
    await fanOut(deps(), { kind: 'document', event: 'deleted', collection: 'own', before: other });
    await fanOut(deps(), { kind: 'document', event: 'deleted', collection: 'own', before: matching });
    expect(messenger.take(watcher.id).map((frame) => frame.type === 'change' && [frame.event, frame.document.id])).toEqual([
      ['created', matching.id],
      ['updated', matching.id],
      ['deleted', matching.id],
    ]);
  });

  it('never send a document whose TTL field has passed (GET answers 404), nor another document to a docId subscription', async () => {
    const watcher = await socket(actors.owner);
    const item = await stored('own', {});
    const other = await stored('own', {});
    await watcher.send({ type: 'subscribe', id: 'one', collection: 'own', docId: item.id });
    await fanOut(deps(), created('own', other));
    await fanOut(deps(), created('own', { ...item, ttl: Math.floor(now / 1000) - 1 }));
    expect(messenger.take(watcher.id)).toEqual([]);
    await fanOut(deps(), created('own', item));
    expect(messenger.take(watcher.id)).toEqual([expect.objectContaining({ id: 'one', event: 'created' })]);
  });
});

describe('identity over time', () => {
  it('makes a connection whose token expired anonymous at its next delivery, ending (once each) what it may no longer hold', async () => {
    const connection = await socket(actors.owner, 60);
    for (const id of ['own-1', 'own-2']) await connection.send({ type: 'subscribe', id, collection: 'own' });
    await connection.send({ type: 'subscribe', id: 'pub', collection: 'pub' });
    now += 61_000;
    await fanOut(deps(), created('own', await stored('own', {})));
    const ended = messenger.take(connection.id);
    expect(ended).toHaveLength(2);
    expect(ended).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'error', id: 'own-1', code: 'Unauthorized' }),
      expect.objectContaining({ type: 'error', id: 'own-2', code: 'Unauthorized' }),
    ]));
    await fanOut(deps(), created('pub', await stored('pub', {})));
    await fanOut(deps(), created('own', await stored('own', {})));
    expect(messenger.take(connection.id)).toEqual([expect.objectContaining({ type: 'change', id: 'pub' })]);
    expect((await connections.get(connection.id))?.caller).toBeUndefined();
    expect((await connections.subscriptionsOf(connection.id)).map((subscription) => subscription.id)).toEqual(['pub']);
  });

  it('notices an expired token at the next frame from the client (ping included)', async () => {
    const connection = await socket(actors.owner, 60);
    await connection.send({ type: 'subscribe', id: 'mine', collection: 'own' });
    now += 61_000;
    expect(await connection.send({ type: 'ping' })).toEqual({ type: 'pong' });
    expect(messenger.take(connection.id)).toEqual([expect.objectContaining({ type: 'error', id: 'mine', code: 'Unauthorized' })]);
    expect(await connection.send({ type: 'subscribe', id: 'again', collection: 'own' })).toMatchObject({ type: 'error', id: 'again', code: 'Unauthorized' });
    expect(await connection.send({ type: 'auth', token: tokenFor(actors.owner!) })).toEqual({ type: 'authed', userId: actors.owner!.userId });
    expect(await connection.send({ type: 'subscribe', id: 'again', collection: 'own' })).toEqual({ type: 'subscribed', id: 'again' });
  });

  it('keeps the subscriptions of a refreshed token, past the old one\'s expiry; a lost group ends those it granted', async () => {
    const owner = await socket(actors.owner, 60);
    await owner.send({ type: 'subscribe', id: 'mine', collection: 'own' });
    expect(await owner.send({ type: 'auth', token: tokenFor(actors.owner!, 3600) })).toMatchObject({ type: 'authed' });
    const editor = await socket(actors.editor);
    await editor.send({ type: 'subscribe', id: 'team', collection: 'team' });
    await editor.send({ type: 'subscribe', id: 'signed', collection: 'signed' });
    expect(await editor.send({ type: 'auth', token: tokenFor({ ...actors.editor!, groups: [] }) })).toMatchObject({ type: 'authed' });
    expect(messenger.take(editor.id)).toEqual([expect.objectContaining({ type: 'error', id: 'team', code: 'Unauthorized' })]);

    now += 120_000;
    await fanOut(deps(), created('own', await stored('own', {})));
    await fanOut(deps(), created('team', await stored('team', {})));
    await fanOut(deps(), created('signed', await stored('signed', {})));
    expect(messenger.take(owner.id)).toEqual([expect.objectContaining({ type: 'change', id: 'mine' })]);
    expect(messenger.take(editor.id)).toEqual([expect.objectContaining({ type: 'change', id: 'signed' })]);
  });
});

describe('delivery', () => {
  it('deletes a connection API Gateway reports gone, with its subscriptions, and posts to it no more', async () => {
    const vanishing = await socket(actors.owner);
    await vanishing.send({ type: 'subscribe', id: 'a', collection: 'own' });
    await vanishing.send({ type: 'subscribe', id: 'b', collection: 'own', where: { title: 'seed' } });
    messenger.gone.add(vanishing.id);
    const stats = await fanOut(deps(), created('own', await stored('own', {})));
    expect(stats.gone).toBe(1);
    expect(await connections.get(vanishing.id)).toBeUndefined();
    expect(await connections.subscriptionsOf(vanishing.id)).toEqual([]);
    // Its two subscriptions' frames may be in flight at once: at most one attempt each.
    const attempts = messenger.attempts.get(vanishing.id)!;
    expect(attempts).toBeLessThanOrEqual(2);
    await fanOut(deps(), created('own', await stored('own', {})));
    expect(messenger.attempts.get(vanishing.id)).toBe(attempts);
  });

  it('lets Lambda retry from a change whose subscribers could not be read, and never repeats one that was partly sent', async () => {
    const watcher = await socket(actors.owner);
    await watcher.send({ type: 'subscribe', id: 'all', collection: 'own' });
    const [first, broken, last] = await Promise.all([stored('own', {}), stored('own', {}), stored('own', {})]);
    const failing = (failOn: (call: number) => boolean): ConnectionStore => {
      let calls = 0;
      return Object.assign(Object.create(connections) as ConnectionStore, {
        subscribers: async (...args: Parameters<ConnectionStore['subscribers']>) => {
          calls++;
          if (failOn(calls)) throw new Error('ProvisionedThroughputExceededException');
          return { ...(await connections.subscribers(...args)), ...(calls === 1 ? { after: 'more' } : {}) };
        },
      });
    };
    const records = [first, broken, last].map((item, index) => ({ sequence: String(index), change: created('own', item) }));
    // The second change's first page fails: nothing of it was sent, Lambda retries from it.
    let store = failing((call) => call === 4);
    const retried = await fanOutInOrder({ ...deps(), connections: store }, records);
    expect(retried.retryFrom).toBe('1');
    expect(messenger.take(watcher.id).map((frame) => frame.type === 'change' && frame.document.id)).toEqual([first.id]);
    // The first change's second page fails after its first page went out: no retry, the batch goes on.
    store = failing((call) => call === 2);
    const partial = await fanOutInOrder({ ...deps(), connections: store }, records);
    expect(partial.retryFrom).toBeUndefined();
    expect(messenger.take(watcher.id).map((frame) => frame.type === 'change' && frame.document.id)).toEqual([first.id, broken.id, last.id]);
  });
});
