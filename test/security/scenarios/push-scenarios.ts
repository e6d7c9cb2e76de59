/**
 * The push and inbox routes in the authorization matrix (docs/api/push.md): a device and an inbox
 * item are their owner's alone — another user's id answers 404, admins included (no admin
 * override in the contract); sending is for the admin group (403 for anyone else); topics are
 * any signed-in caller's to follow.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import backend from '../../../lambase.config.js';
import { send, type Response } from '../harness/http.js';
import type { SignedInCaller, World } from '../harness/world.js';
import { signedIn, type FeatureScenarios, type ObjectUnderTest, type ScenarioContext } from './scenario-types.js';

const TOPIC = backend.push?.topics?.[0] ?? 'posts';
const topLevel = (body: unknown, field: string, value: unknown) => ({ ...(body as object), [field]: value });
/** The title of the last send the matrix made (its verify reads the target's inbox for it). */
let lastSendTitle = '';
const ownerOnly = (success: number) => ({ anonymous: 401, owner: success, other: 404, member: 404, admin: 404 });

/** A device of `owner`'s (an FCM token nobody else holds). */
async function deviceOf(world: World, owner: SignedInCaller): Promise<ObjectUnderTest> {
  const response = await send(world.url, {
    method: 'POST',
    path: '/push/devices',
    token: world.users[owner].accessToken,
    body: { platform: 'fcm', token: `sec-${randomBytes(24).toString('hex')}` },
  });
  if (response.status !== 201) throw new Error(`device refused: ${response.status} ${response.text}`);
  return { params: { deviceId: (response.json as { deviceId: string }).deviceId }, ownerId: world.users[owner].userId };
}

/** A notification in `owner`'s inbox, sent by the admin. */
async function notificationOf(world: World, owner: SignedInCaller): Promise<ObjectUnderTest> {
  const title = `sec-${randomBytes(6).toString('hex')}`;
  const response = await send(world.url, {
    method: 'POST',
    path: '/push/send',
    token: world.users.admin.accessToken,
    body: { to: { userIds: [world.users[owner].userId] }, notification: { title, body: 'security suite' } },
  });
  if (response.status !== 202) throw new Error(`send refused: ${response.status} ${response.text}`);
  return { params: { notificationId: (response.json as { notificationId: string }).notificationId }, ownerId: world.users[owner].userId, title };
}

const ownerOf = (world: World, object: ObjectUnderTest) => Object.values(world.users).find((user) => user.userId === object.ownerId)!;

async function itemsOf(world: World, token: string, path: string): Promise<Record<string, unknown>[]> {
  const page = await send(world.url, { method: 'GET', path: `${path}?limit=100`, token });
  expect(page.status).toBe(200);
  return (page.json as { items: Record<string, unknown>[] }).items;
}

/** A refused delete left the device in its owner's list; an allowed one removed it. */
async function deviceAfterDelete({ world }: ScenarioContext, device: ObjectUnderTest | undefined, response: Response): Promise<void> {
  const items = await itemsOf(world, ownerOf(world, device!).accessToken, '/push/devices');
  expect(items.some((item) => item.deviceId === device!.params.deviceId), 'the owner lists the device after the delete').toBe(response.status !== 204);
}

/** A refused mark left the item unread; an allowed one read. */
async function notificationAfterRead({ world }: ScenarioContext, notification: ObjectUnderTest | undefined, response: Response): Promise<void> {
  const items = await itemsOf(world, ownerOf(world, notification!).accessToken, '/notifications');
  const item = items.find((candidate) => candidate.notificationId === notification!.params.notificationId);
  expect(item, 'the notification is in its owner\'s inbox').toBeDefined();
  expect(item!.read, 'read after the call').toBe(response.status === 204);
}

export const pushScenarios: FeatureScenarios = {
  registerDevice: [
    {
      name: 'an FCM token',
      request: () => ({ body: { platform: 'fcm', token: `sec-${randomBytes(24).toString('hex')}` } }),
      expect: signedIn(201),
      withField: topLevel,
    },
  ],
  listDevices: [
    {
      name: 'the caller\'s devices',
      object: deviceOf,
      request: () => ({ query: { limit: '100' } }),
      expect: signedIn(200),
      verify: ({ caller }, device, response) => {
        const items = (response.json as { items?: { deviceId: string }[] })?.items ?? [];
        if (response.status === 200) expect(items.some((item) => item.deviceId === device!.params.deviceId), 'only the owner lists the device').toBe(caller === 'owner');
      },
    },
  ],
  deleteDevice: [
    {
      name: 'a device',
      object: deviceOf,
      request: (_context, device) => ({ params: device!.params }),
      expect: ownerOnly(204),
      ownedParams: ['deviceId'],
      verify: deviceAfterDelete,
    },
  ],
  followTopic: [
    {
      name: `the "${TOPIC}" topic, by a caller with a device`,
      object: deviceOf,
      request: () => ({ params: { topic: TOPIC } }),
      expect: signedIn(204),
    },
  ],
  unfollowTopic: [
    {
      // Followed first, so there are subscriptions to remove (and SNS to call) whoever runs before.
      name: `the "${TOPIC}" topic, followed from a device`,
      object: async (world, owner) => {
        const device = await deviceOf(world, owner);
        const followed = await send(world.url, { method: 'PUT', path: `/push/topics/${TOPIC}`, token: world.users[owner].accessToken });
        if (followed.status !== 204) throw new Error(`follow refused: ${followed.status} ${followed.text}`);
        return device;
      },
      request: () => ({ params: { topic: TOPIC } }),
      expect: signedIn(204),
    },
  ],
  sendNotification: [
    {
      name: 'to the owner',
      request: ({ world }) => {
        lastSendTitle = `sec-send-${randomBytes(6).toString('hex')}`;
        return { body: { to: { userIds: [world.users.owner.userId] }, notification: { title: lastSendTitle, body: 'security suite' } } };
      },
      expect: { anonymous: 401, owner: 403, other: 403, member: 403, admin: 202 },
      withField: topLevel,
      // Each device's push is its own: one SNS refuses is reported and skipped, never a failed send.
      survives: ['sns'],
      // A refused send reached nobody: the target's inbox holds it only after a 202.
      verify: async ({ world }, _object, response) => {
        const items = await itemsOf(world, world.users.owner.accessToken, '/notifications');
        expect(items.some((item) => item.title === lastSendTitle), 'the owner\'s inbox holds the notification').toBe(response.status === 202);
      },
    },
  ],
  listNotifications: [
    {
      name: 'the caller\'s inbox',
      object: notificationOf,
      request: () => ({ query: { limit: '100' } }),
      expect: signedIn(200),
      verify: ({ caller }, notification, response) => {
        const items = (response.json as { items?: { notificationId: string }[] })?.items ?? [];
        if (response.status === 200) expect(items.some((item) => item.notificationId === notification!.params.notificationId), 'only the owner lists the notification').toBe(caller === 'owner');
      },
    },
  ],
  markNotificationRead: [
    {
      name: 'a notification',
      object: notificationOf,
      request: (_context, notification) => ({ params: notification!.params }),
      expect: ownerOnly(204),
      ownedParams: ['notificationId'],
      verify: notificationAfterRead,
    },
  ],
};
