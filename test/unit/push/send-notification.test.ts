/**
 * Sending, against in-memory stores and a fake SNS that counts what is in flight: the fan-out
 * bound (how many Publish calls at once, how many rounds for 10,000 devices: concurrency, not
 * time), the inbox of every recipient, gone devices leaving the registry, and the refusals.
 */
import { describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../functions/core/errors.js';
import type { OwnerPosition } from '../../../functions/core/pagination/owner-pages.js';
import type { DeviceRecord, InboxItem, PushDependencies } from '../../../functions/core/push/push-ports.js';
import {
  INBOX_CHUNK,
  INBOX_WRITE_CONCURRENCY,
  PUBLISH_CONCURRENCY,
  sendAsAdmin,
  sendNotification,
} from '../../../functions/core/push/send-notification.js';

/** Counts calls in flight; each call ends on a later turn of the event loop, so calls can pile up. */
class InFlight {
  now = 0;
  max = 0;
  async run<T>(work: () => T): Promise<T> {
    this.now += 1;
    this.max = Math.max(this.max, this.now);
    await new Promise((resolve) => setImmediate(resolve));
    this.now -= 1;
    return work();
  }
}

function fakePush(options: { devicesPerUser: Map<string, number>; followers?: string[]; gone?: Set<string>; failing?: Set<string> }) {
  const devices = new Map<string, DeviceRecord[]>();
  for (const [userId, count] of options.devicesPerUser) {
    devices.set(
      userId,
      Array.from({ length: count }, (_, index) => ({
        deviceId: `${userId}-d${index}`,
        ownerId: userId,
        platform: 'fcm' as const,
        token: `${userId}-t${index}`,
        endpointArn: `endpoint/${userId}/${index}`,
        subscriptions: { posts: `sub/${userId}/${index}` },
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
      })),
    );
  }
  const publishes = new InFlight();
  const inboxWrites = new InFlight();
  const published: string[] = [];
  const topicPublishes: string[] = [];
  const inbox: { userIds: readonly string[]; item: Omit<InboxItem, 'read'> }[] = [];
  const removed = { endpoints: [] as string[], subscriptions: [] as string[], records: [] as string[] };
  const failures: string[] = [];
  const deps: Omit<PushDependencies, 'cursors'> = {
    devices: {
      get: async () => undefined,
      save: async () => {},
      listByOwner: async (ownerId: string, { limit, after }: { limit: number; after?: OwnerPosition }) => {
        const all = devices.get(ownerId) ?? [];
        const start = after ? all.findIndex((device) => device.deviceId === after.id) + 1 : 0;
        const items = all.slice(start, start + limit);
        const last = items.at(-1);
        return { items, next: start + limit < all.length && last ? { createdAt: last.createdAt, id: last.deviceId } : undefined };
      },
      setSubscription: async (_deviceId, _ownerId, topic, arn) => void (arn === undefined && removed.subscriptions.push(topic)),
      delete: async (deviceId) => void removed.records.push(deviceId),
    },
    follows: {
      follow: async () => {},
      unfollow: async () => {},
      topicsOf: async () => [],
      followers: async (_topic, { limit, after }) => {
        const all = options.followers ?? [];
        const start = after === undefined ? 0 : Number(after);
        return { userIds: all.slice(start, start + limit), after: start + limit < all.length ? String(start + limit) : undefined };
      },
    },
    inbox: {
      putMany: (userIds, item) => inboxWrites.run(() => void inbox.push({ userIds, item })),
      listByOwner: async () => ({ items: [], next: undefined }),
      markRead: async () => false,
      listAllByOwner: async () => ({ items: [], next: undefined }),
      deleteMany: async () => {},
    },
    gateway: {
      ensureEndpoint: async () => '',
      deleteEndpoint: async (arn) => void removed.endpoints.push(arn),
      subscribe: async () => '',
      unsubscribe: async (arn) => void removed.subscriptions.push(arn),
      publishToEndpoint: (arn) =>
        publishes.run(() => {
          if (options.failing?.has(arn)) throw new Error('SNS internal error');
          published.push(arn);
          return options.gone?.has(arn) ? 'gone' : 'sent';
        }),
      publishToTopic: async (topic) => void topicPublishes.push(topic),
    },
    clock: { now: () => new Date('2026-06-01T12:00:00.000Z') },
    settings: { platforms: { fcm: { secretName: 'lambase/push/fcm', ready: true } }, topics: ['posts'], adminGroup: 'admin' },
    newNotificationId: () => 'n1',
    onDeliveryFailure: ({ deviceId }) => void failures.push(deviceId),
  };
  return { deps, publishes, inboxWrites, published, topicPublishes, inbox, removed, failures };
}

const users = (count: number, devicesEach: number) => new Map(Array.from({ length: count }, (_, index) => [`u${index}`, devicesEach]));
const notification = { title: 'Hello', body: 'World', data: { postId: 'p1' } };

describe('the fan-out bound', () => {
  it(`sends to 10,000 devices with at most ${PUBLISH_CONCURRENCY} Publish calls in flight: 200 rounds`, async () => {
    const push = fakePush({ devicesPerUser: users(1000, 10) });
    const result = await sendNotification(push.deps, { to: { userIds: [...users(1000, 10).keys()] }, notification });

    expect(result.deliveries).toEqual({ devices: 10_000, topics: 0, inbox: 1000 });
    expect(new Set(push.published).size).toBe(10_000);
    expect(push.publishes.max).toBe(PUBLISH_CONCURRENCY);
    // The bound ARCHITECTURE.md computes from: 10,000 / 50 = 200 sequential rounds of Publish.
    expect(Math.ceil(push.published.length / push.publishes.max)).toBe(200);
    // One inbox item per recipient, in BatchWriteItem-sized chunks, a bounded number at once.
    expect(push.inbox.map((write) => write.userIds.length)).toEqual(Array(1000 / INBOX_CHUNK).fill(INBOX_CHUNK));
    expect(push.inboxWrites.max).toBe(INBOX_WRITE_CONCURRENCY);
    expect(push.inbox[0]!.item).toEqual({ notificationId: 'n1', ...notification, createdAt: '2026-06-01T12:00:00.000Z' });
  });

  it('never exceeds the bound with fewer devices than it, and sends each once', async () => {
    const push = fakePush({ devicesPerUser: users(3, 4) });
    const result = await sendNotification(push.deps, { to: { userIds: ['u0', 'u1', 'u2', 'u1'] }, notification });
    expect(result.deliveries).toEqual({ devices: 12, topics: 0, inbox: 3 });
    expect(push.published).toHaveLength(12);
    expect(push.publishes.max).toBeLessThanOrEqual(12);
  });
});

describe('recipients', () => {
  it('publishes a topic once, writes every follower\'s inbox, and reaches a named follower through the topic only', async () => {
    const push = fakePush({ devicesPerUser: users(3, 2), followers: ['u0', 'u1', 'f1', 'f2'] });
    const result = await sendNotification(push.deps, { to: { userIds: ['u1', 'u2'], topic: 'posts' }, notification });

    expect(push.topicPublishes).toEqual(['posts']);
    // u1 follows the topic: its devices get it from there, not a second time directly.
    expect(push.published.sort()).toEqual(['endpoint/u2/0', 'endpoint/u2/1']);
    expect(push.inbox.flatMap((write) => write.userIds).sort()).toEqual(['f1', 'f2', 'u0', 'u1', 'u2']);
    expect(result).toEqual({ notificationId: 'n1', deliveries: { devices: 2, topics: 1, inbox: 5 } });
  });

  it('writes the inbox of a user without devices', async () => {
    const push = fakePush({ devicesPerUser: new Map() });
    const result = await sendNotification(push.deps, { to: { userIds: ['lonely'] }, notification: { title: 'Hi', body: '' }, notificationId: 'given' });
    expect(result).toEqual({ notificationId: 'given', deliveries: { devices: 0, topics: 0, inbox: 1 } });
    expect(push.inbox[0]!.item.data).toEqual({});
  });
});

describe('devices SNS cannot reach', () => {
  it('removes devices whose endpoint is gone (subscriptions, endpoint, record) and reports other failures without failing the send', async () => {
    const push = fakePush({ devicesPerUser: users(2, 2), gone: new Set(['endpoint/u0/1']), failing: new Set(['endpoint/u1/0']) });
    const result = await sendNotification(push.deps, { to: { userIds: ['u0', 'u1'] }, notification });

    expect(result.deliveries.devices).toBe(2);
    expect(push.removed).toEqual({ endpoints: ['endpoint/u0/1'], subscriptions: ['sub/u0/1', 'posts'], records: ['u0-d1'] });
    expect(push.failures).toEqual(['u1-d0']);
  });
});

describe('refusals', () => {
  const push = () => fakePush({ devicesPerUser: users(1, 1) });

  it('lets only the admin group send over HTTP (403)', async () => {
    await expect(sendAsAdmin(push().deps, { userId: 'u9', groups: [] }, { to: { userIds: ['u0'] }, notification })).rejects.toBeInstanceOf(ForbiddenError);
    const sent = await sendAsAdmin(push().deps, { userId: 'a', groups: ['admin'] }, { to: { userIds: ['u0'] }, notification });
    expect(sent.deliveries.devices).toBe(1);
  });

  it('knows only the config\'s topics (404)', async () => {
    await expect(sendNotification(push().deps, { to: { topic: 'sports' }, notification })).rejects.toBeInstanceOf(NotFoundError);
  });

  it.each([
    ['no recipient', { to: {}, notification }],
    ['a reserved data key', { to: { userIds: ['u0'] }, notification: { ...notification, data: { aps: 'x' } } }],
    ['an FCM-reserved data key', { to: { userIds: ['u0'] }, notification: { ...notification, data: { google_id: 'x' } } }],
    ['a payload over 4 KB', { to: { userIds: ['u0'] }, notification: { ...notification, data: { blob: 'x'.repeat(4100) } } }],
  ])('refuses %s with 400 before writing or sending anything', async (_what, request) => {
    const fake = push();
    await expect(sendNotification(fake.deps, request)).rejects.toBeInstanceOf(ValidationError);
    expect(fake.inbox).toEqual([]);
    expect(fake.published).toEqual([]);
  });
});
