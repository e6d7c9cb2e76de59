/**
 * Issue 10's acceptance, over HTTP against local mode: a device registered twice is one device; it
 * follows `posts`; an admin sends to the topic and to the user; the outbox shows both deliveries
 * with the payload the platform would get; the inbox has them and marking read works; a non-admin
 * cannot send; another user neither lists nor deletes the device; DELETE /me leaves no device,
 * endpoint, subscription or inbox item (checked in the local SNS and in the table).
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, createUser, exampleWithoutFunctions, startTestBackend, type TestBackend, type TestUser } from '../fixtures/local-backend.js';

const ADMIN = { email: 'push-admin@example.com', password: 'Admin-Password-42!' };

let local: TestBackend;
beforeAll(async () => {
  local = await startTestBackend({ admin: ADMIN, backend: exampleWithoutFunctions() });
});
afterAll(() => local?.cleanup());

type OutboxPush = { to: string; deviceId?: string; topic?: string; title: string; body: string; data: Record<string, unknown>; platform: string; payload: unknown };

// Each first call of a function starts its worker: this test touches a dozen, which on a busy 2-core machine takes more than a minute.
it('registers, follows, sends to a topic and to a user, fills the inbox, and erases it all with the account', { timeout: 120_000 }, async () => {
  const user = await createUser(local);
  const other = await createUser(local);
  const admin = (await api<{ accessToken: string }>(local.url, 'POST', '/auth/sign-in', { body: ADMIN })).body.accessToken;
  const token = randomBytes(32).toString('hex');

  // Register twice: one device.
  const first = await api<{ deviceId: string }>(local.url, 'POST', '/push/devices', { as: user, body: { platform: 'apns', token } });
  const again = await api<{ deviceId: string }>(local.url, 'POST', '/push/devices', { as: user, body: { platform: 'apns', token } });
  expect(first.status).toBe(201);
  expect(again.body.deviceId).toBe(first.body.deviceId);
  const { deviceId } = first.body;
  expect((await api(local.url, 'PUT', '/push/topics/posts', { as: user })).status).toBe(204);

  // The admin sends to the topic, then to the user.
  await api(local.url, 'DELETE', '/_local/outbox');
  const toTopic = await api<{ notificationId: string; deliveries: unknown }>(local.url, 'POST', '/push/send', {
    as: admin,
    body: { to: { topic: 'posts' }, notification: { title: 'New post', body: 'Read it', data: { postId: 'p1' } } },
  });
  expect(toTopic.status).toBe(202);
  expect(toTopic.body.deliveries).toEqual({ devices: 0, topics: 1, inbox: 1 });
  const toUser = await api<{ notificationId: string; deliveries: unknown }>(local.url, 'POST', '/push/send', {
    as: admin,
    headers: { 'idempotency-key': 'welcome-1' },
    body: { to: { userIds: [user.userId] }, notification: { title: 'Just you', body: 'Hello', data: { n: 1 } } },
  });
  expect(toUser.status).toBe(202);
  expect(toUser.body.deliveries).toEqual({ devices: 1, topics: 0, inbox: 1 });

  const outbox = (await api<{ push: OutboxPush[] }>(local.url, 'GET', '/_local/outbox')).body.push;
  expect(outbox).toEqual([
    {
      to: user.userId,
      deviceId,
      topic: 'posts',
      title: 'New post',
      body: 'Read it',
      data: { postId: 'p1' },
      platform: 'apns',
      payload: { aps: { alert: { title: 'New post', body: 'Read it' } }, postId: 'p1' },
      sentAt: expect.any(String),
    },
    {
      to: user.userId,
      deviceId,
      title: 'Just you',
      body: 'Hello',
      data: { n: 1 },
      platform: 'apns',
      payload: { aps: { alert: { title: 'Just you', body: 'Hello' } }, n: 1 },
      sentAt: expect.any(String),
    },
  ]);

  // The inbox has both, newest first; marking one read works.
  type Inbox = { items: { notificationId: string; title: string; read: boolean }[] };
  const inbox = (await api<Inbox>(local.url, 'GET', '/notifications', { as: user })).body.items;
  expect(inbox.map((item) => [item.notificationId, item.title, item.read])).toEqual([
    [toUser.body.notificationId, 'Just you', false],
    [toTopic.body.notificationId, 'New post', false],
  ]);
  expect((await api(local.url, 'POST', `/notifications/${toTopic.body.notificationId}/read`, { as: user })).status).toBe(204);
  expect((await api<Inbox>(local.url, 'GET', '/notifications', { as: user })).body.items[1]!.read).toBe(true);
  expect((await api(local.url, 'POST', `/notifications/${toTopic.body.notificationId}/read`, { as: other })).status).toBe(404);

  // Not for everyone, and not for another user's device.
  expect((await api(local.url, 'POST', '/push/send', { as: user, body: { to: { topic: 'posts' }, notification: { title: 'x', body: 'y' } } })).status).toBe(403);
  expect((await api<{ items: unknown[] }>(local.url, 'GET', '/push/devices', { as: other })).body.items).toEqual([]);
  expect((await api(local.url, 'DELETE', `/push/devices/${deviceId}`, { as: other })).status).toBe(404);
  expect((await api<{ items: { deviceId: string }[] }>(local.url, 'GET', '/push/devices', { as: user })).body.items.map((device) => device.deviceId)).toEqual([deviceId]);

  // The account's export has it all; DELETE /me leaves nothing behind.
  const exported = (await api<{ devices: { deviceId: string; topics: string[] }[]; topics: { topic: string }[]; notifications: unknown[] }>(local.url, 'GET', '/me/export', { as: user })).body;
  expect(exported.devices).toEqual([expect.objectContaining({ deviceId, token, topics: ['posts'] })]);
  expect(exported.topics).toEqual([expect.objectContaining({ topic: 'posts' })]);
  expect(exported.notifications).toHaveLength(2);
  const endpointArn = local.sns.snapshot().endpoints.find((endpoint) => endpoint.token === token)!.arn;

  expect((await api(local.url, 'DELETE', '/me', { as: user })).status).toBe(204);
  const sns = local.sns.snapshot();
  expect(sns.endpoints.filter((endpoint) => endpoint.arn === endpointArn)).toEqual([]);
  expect(sns.subscriptions.filter((subscription) => subscription.endpointArn === endpointArn)).toEqual([]);
  expect(await ownedItems(user, ['_devices', '_inbox'])).toEqual([]);
  const { Items: follows } = await table().send(
    new QueryCommand({ TableName: local.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `USER#${user.userId}` } }),
  );
  expect(follows).toEqual([]);
});

function table(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: local.endpoints.dynamodb, region: local.region, credentials: local.credentials }));
}

async function ownedItems(user: TestUser, kinds: string[]): Promise<unknown[]> {
  const items: unknown[] = [];
  for (const kind of kinds) {
    const { Items } = await table().send(
      new QueryCommand({ TableName: local.tableName, IndexName: 'byOwnerCreated', KeyConditionExpression: 'ownerKey = :k', ExpressionAttributeValues: { ':k': `${kind}#${user.userId}` } }),
    );
    items.push(...(Items ?? []));
  }
  return items;
}
