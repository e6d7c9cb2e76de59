/**
 * The realtime socket under the authorization matrix (realtime-scenarios.ts), against the suite's
 * local backend with real WebSocket clients:
 *
 * - per collection, sockets of every caller (anonymous, owner, another user, a group member, an
 *   admin) subscribe: each gets the answer the collection's read rule gives it, and a new document
 *   of the owner's reaches exactly the sockets that may read it;
 * - the notifications channel: signed-in sockets only, and each user's items to that user alone;
 * - every forged kind of token in an `auth` frame: the contract's error frame, the connection as it
 *   was (anonymous stays anonymous, a signed-in one keeps its caller), and nothing delivered that
 *   it may not read;
 * - closed sockets leave no subscription behind ($disconnect).
 *
 * "Nothing delivered" is proven without a clock: every socket also subscribes to a public
 * collection, and a marker document written after the change under test reaches every socket.
 * The fan-out reads the stream in order and posts each change's frames before the next, so a
 * socket that got the marker but not the change was never sent it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import { afterEach, beforeAll, describe, expect, inject } from 'vitest';
import WebSocket from 'ws';
import backend from '../../../lambase.config.js';
import type { ResolvedCollection } from '../../../functions/core/config/define-backend.js';
import { realtimeRoutes } from '../../../lib/routes.js';
import { realtimeTriggers } from '../../../lib/routes/realtime-routes.js';
import { forgedTokenKinds, type Claims, type TokenKind } from '../harness/forged-tokens.js';
import { send } from '../harness/http.js';
import { testIn } from '../harness/security-test.js';
import { countPartition, seedDocument } from '../harness/table.js';
import { CALLERS, type CallerKind, type World } from '../harness/world.js';
import { realtimeCoverage, receivesOwnersChange, subscribeAnswer } from '../scenarios/realtime-scenarios.js';
import { sampleFields } from '../scenarios/sample-documents.js';

const world: World = inject('securityWorld');
const it = testIn('realtime');

type Frame = Record<string, unknown> & { type: string; id?: string };

type Socket = {
  frames: Frame[];
  /** Sends a frame; resolves with the first frame after it that answers it (same `id`, or of `types`). */
  request(frame: Frame, answers?: (frame: Frame) => boolean): Promise<Frame>;
  /** The first frame (already received or to come) that matches. */
  waitFor(match: (frame: Frame) => boolean): Promise<Frame>;
  close(): Promise<void>;
};

const opened: Socket[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((socket) => socket.close()));
});

async function connect(): Promise<Socket> {
  const ws = new WebSocket(world.realtimeUrl);
  const frames: Frame[] = [];
  const waiters = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of waiters) wake();
  };
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Frame);
    wakeAll();
  });
  ws.on('close', wakeAll);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const waitFrom = async (from: number, match: (frame: Frame) => boolean): Promise<Frame> => {
    for (;;) {
      const found = frames.slice(from).find(match);
      if (found) return found;
      if (ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting; frames: ${JSON.stringify(frames)}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
      });
    }
  };
  const socket: Socket = {
    frames,
    request(frame, answers) {
      const from = frames.length;
      ws.send(JSON.stringify(frame));
      return waitFrom(from, answers ?? ((candidate) => candidate.id === frame.id && candidate.type !== 'change' && candidate.type !== 'notification'));
    },
    waitFor: (match) => waitFrom(0, match),
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
  opened.push(socket);
  return socket;
}

const authAnswer = (frame: Frame) => frame.type === 'authed' || (frame.type === 'error' && frame.id === undefined);

/** A socket of `caller`'s: anonymous as opened, or authed with the caller's access token. */
async function socketOf(caller: CallerKind): Promise<Socket> {
  const socket = await connect();
  if (caller !== 'anonymous') {
    expect(await socket.request({ type: 'auth', token: world.users[caller].accessToken }, authAnswer), caller).toEqual({ type: 'authed', userId: world.users[caller].userId });
  }
  return socket;
}

const collections = Object.values(backend.collections) as ResolvedCollection[];
/** A collection every caller may subscribe to and read: where the markers go. */
const MARKERS = collections.find((collection) => collection.access.read.includes('public'));

const changeOf = (subscription: string, docId: string) => (frame: Frame) =>
  frame.type === 'change' && frame.id === subscription && (frame.document as { id?: string } | undefined)?.id === docId;

/** Writes a marker document (the admin's, public) and waits until every socket has it. */
async function markAndWait(sockets: readonly Socket[]): Promise<void> {
  const markerId = await seedDocument(world, MARKERS!, world.users.admin.userId, sampleFields(MARKERS!, `marker-${Date.now().toString(36)}`));
  await Promise.all(sockets.map((socket) => socket.waitFor(changeOf('marker', markerId))));
}

async function subscribeMarkers(socket: Socket): Promise<void> {
  expect(await socket.request({ type: 'subscribe', id: 'marker', collection: MARKERS!.name })).toEqual({ type: 'subscribed', id: 'marker' });
}

/** Waits until the table's subscriptions of `partition` are back to `count` (the fan-out's and $disconnect's work is asynchronous). */
async function subscriptionsSettle(partition: string, count: number): Promise<number> {
  let seen = await countPartition(world, partition);
  for (let attempt = 0; seen !== count && attempt < 60; attempt++) {
    await delay(250 * Math.min(attempt + 1, 4));
    seen = await countPartition(world, partition);
  }
  return seen;
}

it('every WebSocket route and stream reader of the realtime tables is exercised here', ({ tally }) => {
  expect(MARKERS, 'a collection with a public read rule (the markers)').toBeDefined();
  for (const name of [...realtimeRoutes.map((route) => route.routeKey), ...realtimeTriggers.map((trigger) => trigger.name)]) {
    tally.check();
    expect(realtimeCoverage[name], `${name} needs a line in test/security/scenarios/realtime-scenarios.ts`).toBeDefined();
  }
});

describe.each(collections.map((collection) => [collection.name, collection] as const))('subscribing to %s', (_name, collection) => {
  it('each caller gets the answer its read rule gives, and the owner\'s new document reaches exactly those who may read it', async ({ tally }) => {
    const partition = `WSSUB#${collection.name}`;
    const before = await countPartition(world, partition);
    const sockets = await Promise.all(CALLERS.map(socketOf));
    for (const [index, caller] of CALLERS.entries()) {
      const answer = await sockets[index]!.request({ type: 'subscribe', id: 'sub', collection: collection.name });
      tally.check();
      expect(answer, `${caller} subscribing to ${collection.name}`).toMatchObject({ ...subscribeAnswer(collection, caller), id: 'sub' });
      await subscribeMarkers(sockets[index]!);
    }

    const docId = await seedDocument(world, collection, world.users.owner.userId, sampleFields(collection, `rt-${collection.name}`));
    await markAndWait(sockets);
    for (const [index, caller] of CALLERS.entries()) {
      tally.check();
      const received = sockets[index]!.frames.filter(changeOf('sub', docId));
      expect(received.length, `${caller}'s socket and the owner's new ${collection.name} document`).toBe(receivesOwnersChange(collection, caller) ? 1 : 0);
      if (received.length > 0) expect(received[0], caller).toMatchObject({ event: 'created', document: { id: docId, owner: world.users.owner.userId } });
    }

    await Promise.all(sockets.map((socket) => socket.close()));
    tally.check();
    expect(await subscriptionsSettle(partition, before), 'subscriptions left behind by closed sockets').toBe(before);
  });
});

describe('the notifications channel', () => {
  it('is for signed-in sockets only, and each user\'s notification reaches that user alone', async ({ tally }) => {
    const sockets = await Promise.all(CALLERS.map(socketOf));
    for (const [index, caller] of CALLERS.entries()) {
      tally.check();
      expect(await sockets[index]!.request({ type: 'subscribe', id: 'inbox', channel: 'notifications' }), caller).toMatchObject(
        caller === 'anonymous' ? { type: 'error', id: 'inbox', code: 'Unauthorized' } : { type: 'subscribed', id: 'inbox' },
      );
    }
    const push = (userIds: string[], title: string) =>
      send(world.url, { method: 'POST', path: '/push/send', token: world.users.admin.accessToken, body: { to: { userIds }, notification: { title, body: 'security suite' } } });
    const ownersTitle = `for the owner ${Date.now().toString(36)}`;
    expect((await push([world.users.owner.userId], ownersTitle)).status).toBe(202);
    const othersTitle = `for the others ${Date.now().toString(36)}`;
    expect((await push([world.users.other.userId, world.users.member.userId, world.users.admin.userId], othersTitle)).status).toBe(202);

    const titled = (title: string) => (frame: Frame) => frame.type === 'notification' && (frame.notification as { title?: string }).title === title;
    await sockets[1]!.waitFor(titled(ownersTitle));
    await Promise.all(sockets.slice(2).map((socket) => socket.waitFor(titled(othersTitle))));
    for (const [index, caller] of CALLERS.entries()) {
      tally.check();
      expect(sockets[index]!.frames.filter(titled(ownersTitle)).length, `${caller}'s socket and the owner's notification`).toBe(caller === 'owner' ? 1 : 0);
    }
    // The anonymous socket: nothing but its refusal.
    expect(sockets[0]!.frames.filter((frame) => frame.type === 'notification')).toEqual([]);
  });
});

describe('forged tokens in the auth frame', () => {
  let kinds: TokenKind[];
  let ownerClaims: Claims;
  /** A collection an anonymous socket may not subscribe to, if the config has one. */
  const closed = collections.find((collection) => subscribeAnswer(collection, 'anonymous').type === 'error');

  beforeAll(async () => {
    // "Missing" is the anonymous socket itself (the matrix's column).
    kinds = (await forgedTokenKinds(world)).kinds.filter((kind) => kind.name !== 'missing');
    ownerClaims = decodeJwt(world.users.owner.accessToken) as Claims;
  });

  it('an anonymous socket: each is refused with the error frame, and the socket stays anonymous', async ({ tally }) => {
    const socket = await connect();
    await subscribeMarkers(socket);
    for (const kind of kinds) {
      tally.check();
      expect(await socket.request({ type: 'auth', token: await kind.token(ownerClaims) }, authAnswer), kind.name).toMatchObject({ type: 'error', code: 'Unauthorized' });
    }
    expect(await socket.request({ type: 'subscribe', id: 'inbox', channel: 'notifications' })).toMatchObject({ type: 'error', code: 'Unauthorized' });
    if (closed) {
      expect(await socket.request({ type: 'subscribe', id: 'closed', collection: closed.name })).toMatchObject({ type: 'error', code: 'Unauthorized' });
      const docId = await seedDocument(world, closed, world.users.owner.userId, sampleFields(closed, 'forged'));
      await markAndWait([socket]);
      expect(socket.frames.filter((frame) => (frame.document as { id?: string } | undefined)?.id === docId), 'the owner\'s document').toEqual([]);
    }
  });

  it('a signed-in socket: each is refused, and the socket keeps its caller and subscriptions', async ({ tally }) => {
    const socket = await socketOf('owner');
    await subscribeMarkers(socket);
    const target = closed ?? MARKERS!;
    expect(await socket.request({ type: 'subscribe', id: 'sub', collection: target.name })).toEqual({ type: 'subscribed', id: 'sub' });
    for (const kind of kinds) {
      tally.check();
      expect(await socket.request({ type: 'auth', token: await kind.token(ownerClaims) }, authAnswer), kind.name).toMatchObject({ type: 'error', code: 'Unauthorized' });
    }
    const docId = await seedDocument(world, target, world.users.owner.userId, sampleFields(target, 'kept'));
    await socket.waitFor(changeOf('sub', docId));
    // No subscription was ended by a refused token.
    expect(socket.frames.filter((frame) => frame.type === 'error' && frame.id !== undefined)).toEqual([]);
  });
});
