/**
 * Sending and the inbox against DynamoDB Local and the local SNS: what each device receives per
 * platform, topic fan-out, the inbox of every recipient, Idempotency-Key, gone endpoints leaving
 * the registry, authorization, and erasing a user's push data.
 */
import { SetEndpointAttributesCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxStore, ownedPushData, pushService } from '../../../functions/push/push-wiring.js';
import { apnsToken, fcmToken, newAdmin, newUser, startPushHarness, type PushHarness } from './push-harness.js';

let push: PushHarness;
beforeAll(async () => {
  push = await startPushHarness();
});
afterAll(() => push?.stop());

type Sent = { notificationId: string; deliveries: { devices: number; topics: number; inbox: number } };
type InboxPage = { items: { notificationId: string; title: string; body: string; data: Record<string, unknown>; read: boolean; createdAt: string }[]; nextCursor: string | null };

const admin = newAdmin();
const deliveriesTo = (userId: string) => push.deliveries.filter((delivery) => JSON.parse(delivery.endpoint.customUserData ?? '{}').userId === userId);

describe('POST /push/send', () => {
  it('pushes each platform its own payload, and writes the inbox', async () => {
    const user = newUser();
    await push.register(user, { platform: 'apns', token: apnsToken() });
    await push.register(user, { platform: 'fcm', token: fcmToken() });
    const sent = await push.send(admin, { to: { userIds: [user.userId] }, notification: { title: 'Hi', body: 'There', data: { postId: 'p1', n: 2 } } });

    expect(sent.statusCode).toBe(202);
    const { notificationId, deliveries } = sent.body as Sent;
    expect(deliveries).toEqual({ devices: 2, topics: 0, inbox: 1 });
    const byPlatform = Object.fromEntries(deliveriesTo(user.userId).map((delivery) => [delivery.platform, delivery]));
    expect(byPlatform.apns).toMatchObject({ title: 'Hi', body: 'There', payload: { aps: { alert: { title: 'Hi', body: 'There' } }, postId: 'p1', n: 2 } });
    expect(byPlatform.fcm).toMatchObject({
      title: 'Hi',
      data: { postId: 'p1', n: '2' },
      payload: { fcmV1Message: { message: { notification: { title: 'Hi', body: 'There' }, data: { postId: 'p1', n: '2' } } } },
    });
    const inbox = (await push.inbox(user)).body as InboxPage;
    expect(inbox.items).toEqual([{ notificationId, title: 'Hi', body: 'There', data: { postId: 'p1', n: 2 }, read: false, createdAt: expect.any(String) }]);
  });

  it('publishes to a topic once; SNS delivers it to every follower\'s devices, and every follower gets an inbox item', async () => {
    const [follower, deviceless, bystander] = [newUser(), newUser(), newUser()];
    await push.register(follower, { platform: 'fcm', token: fcmToken() });
    await push.follow(follower, 'posts');
    await push.follow(deviceless, 'posts');
    await push.register(bystander, { platform: 'fcm', token: fcmToken() });

    const sent = (await push.send(admin, { to: { topic: 'posts' }, notification: { title: 'New post', body: 'Read it', data: { postId: 'p9' } } })).body as Sent;
    expect(sent.deliveries.topics).toBe(1);
    expect(sent.deliveries.devices).toBe(0);
    expect(deliveriesTo(follower.userId).filter((delivery) => delivery.topic === 'posts' && delivery.title === 'New post')).toHaveLength(1);
    expect(deliveriesTo(bystander.userId)).toEqual([]);
    for (const user of [follower, deviceless]) {
      expect(((await push.inbox(user)).body as InboxPage).items.map((item) => item.notificationId)).toContain(sent.notificationId);
    }
    expect(((await push.inbox(bystander)).body as InboxPage).items).toEqual([]);
  });

  it('answers a retry with the same Idempotency-Key with the first answer, sending nothing again', async () => {
    const user = newUser();
    await push.register(user, { platform: 'fcm', token: fcmToken() });
    const body = { to: { userIds: [user.userId] }, notification: { title: 'Once', body: 'Only once' } };
    const headers = { 'idempotency-key': `send-${user.userId}` };
    const first = await push.send(admin, body, headers);
    const retry = await push.send(admin, body, headers);
    expect(retry.body).toEqual(first.body);
    expect(deliveriesTo(user.userId)).toHaveLength(1);
    expect(((await push.inbox(user)).body as InboxPage).items).toHaveLength(1);
    expect((await push.send(admin, { ...body, notification: { title: 'Other', body: '' } }, headers)).statusCode).toBe(409);
  });

  it('removes a device whose endpoint SNS reports disabled, endpoint and all', async () => {
    const user = newUser();
    await push.register(user, { platform: 'fcm', token: fcmToken() });
    const [device] = await push.ownedItems('_devices', user.userId);
    await push.snsClient.send(new SetEndpointAttributesCommand({ EndpointArn: device!.endpointArn as string, Attributes: { Enabled: 'false' } }));

    const sent = (await push.send(admin, { to: { userIds: [user.userId] }, notification: { title: 'Hello?', body: '' } })).body as Sent;
    expect(sent.deliveries).toEqual({ devices: 0, topics: 0, inbox: 1 });
    expect(await push.ownedItems('_devices', user.userId)).toEqual([]);
    expect(push.sns.snapshot().endpoints.map((endpoint) => endpoint.arn)).not.toContain(device!.endpointArn);
  });

  it('is for the admin group only (403), and refuses an undeclared topic (404) and a bad body (400)', async () => {
    const body = { to: { topic: 'posts' }, notification: { title: 'x', body: 'y' } };
    expect((await push.send(newUser(), body)).statusCode).toBe(403);
    expect((await push.send(admin, { ...body, to: { topic: 'sports' } })).statusCode).toBe(404);
    expect((await push.send(admin, { ...body, to: {} })).statusCode).toBe(400);
    expect((await push.send(admin, { ...body, notification: { title: 'x', body: 'y', data: { aps: 1 } } })).statusCode).toBe(400);
  });
});

describe('the server-side push API (what functions call)', () => {
  it('sends on the server\'s own authority, and a retry with the same notificationId does not double the inbox', async () => {
    const user = newUser();
    await push.register(user, { platform: 'fcm', token: fcmToken() });
    const request = { to: { userIds: [user.userId] }, notification: { title: 'Welcome', body: 'Glad you are here' }, notificationId: `welcome-${user.userId.slice(0, 8)}` };
    const first = await pushService().send(request);
    await pushService().send(request);
    expect(first).toEqual({ notificationId: request.notificationId, deliveries: { devices: 1, topics: 0, inbox: 1 } });
    expect(((await push.inbox(user)).body as InboxPage).items.map((item) => item.title)).toEqual(['Welcome']);
  });
});

describe('the inbox', () => {
  it('pages newest first, marks read, and answers another user\'s notification with 404', async () => {
    const [user, other] = [newUser(), newUser()];
    const ids: string[] = [];
    for (const title of ['one', 'two', 'three']) {
      ids.push(((await push.send(admin, { to: { userIds: [user.userId] }, notification: { title, body: '' } })).body as Sent).notificationId);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const first = (await push.inbox(user, 'limit=2')).body as InboxPage;
    const second = (await push.inbox(user, `limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`)).body as InboxPage;
    expect([...first.items, ...second.items].map((item) => item.title)).toEqual(['three', 'two', 'one']);
    expect(second.nextCursor).toBeNull();
    expect((await push.inbox(other, `cursor=${encodeURIComponent(first.nextCursor!)}`)).statusCode).toBe(400);

    expect((await push.markRead(other, ids[0]!)).statusCode).toBe(404);
    expect((await push.markRead(user, ids[0]!)).statusCode).toBe(204);
    expect((await push.markRead(user, ids[0]!)).statusCode).toBe(204);
    const read = ((await push.inbox(user)).body as InboxPage).items.find((item) => item.notificationId === ids[0]);
    expect(read?.read).toBe(true);
    expect((await push.markRead(user, 'no-such-notification')).statusCode).toBe(404);
  });

  it('keeps items 90 days, and treats an expired one as gone before DynamoDB deletes it', async () => {
    const user = newUser();
    const sent = (await push.send(admin, { to: { userIds: [user.userId] }, notification: { title: 'fresh', body: '' } })).body as Sent;
    const [item] = await push.ownedItems('_inbox', user.userId);
    const days = ((item!.ttl as number) * 1000 - Date.parse(item!.createdAt as string)) / 86_400_000;
    expect(Math.round(days)).toBe(90);

    await inboxStore().putMany([user.userId], { notificationId: 'old', title: 'stale', body: '', data: {}, createdAt: '2020-01-01T00:00:00.000Z' }, new Date(Date.now() - 1000));
    expect(((await push.inbox(user)).body as InboxPage).items.map((entry) => entry.notificationId)).toEqual([sent.notificationId]);
    expect((await push.markRead(user, 'old')).statusCode).toBe(404);
  });
});

describe('a user\'s push data, for GET /me/export and DELETE /me', () => {
  it('exports devices, follows and the inbox, then erases them all — endpoints and subscriptions in SNS too', async () => {
    const user = newUser();
    await push.follow(user, 'posts');
    const token = apnsToken();
    await push.register(user, { platform: 'apns', token });
    await push.register(user, { platform: 'fcm', token: fcmToken() });
    await push.send(admin, { to: { userIds: [user.userId] }, notification: { title: 'Yours', body: '' } });
    const endpoints = push.sns.snapshot().endpoints.filter((endpoint) => JSON.parse(endpoint.customUserData ?? '{}').userId === user.userId);
    expect(endpoints).toHaveLength(2);

    const owned = ownedPushData();
    const exported = Object.fromEntries(await Promise.all(owned.map(async (data) => [data.kind, await data.exportFor(user.userId)] as const)));
    expect(exported.devices).toHaveLength(2);
    expect(exported.devices).toContainEqual(expect.objectContaining({ platform: 'apns', token, topics: ['posts'] }));
    expect(exported.topics).toEqual([{ topic: 'posts', followedAt: expect.any(String) }]);
    expect(exported.notifications).toEqual([expect.objectContaining({ title: 'Yours' })]);

    for (const data of owned) await data.eraseFor(user.userId);
    // Safe to run again (a retried DELETE /me).
    for (const data of owned) await data.eraseFor(user.userId);

    expect(await push.ownedItems('_devices', user.userId)).toEqual([]);
    expect(await push.ownedItems('_inbox', user.userId)).toEqual([]);
    expect(await owned.find((data) => data.kind === 'topics')!.exportFor(user.userId)).toEqual([]);
    const arns = endpoints.map((endpoint) => endpoint.arn);
    const left = push.sns.snapshot();
    expect(left.endpoints.filter((endpoint) => arns.includes(endpoint.arn))).toEqual([]);
    expect(left.subscriptions.filter((subscription) => arns.includes(subscription.endpointArn))).toEqual([]);
  });
});
