/** The push and inbox operations of the HTTP contract (docs/api/push.md). */
import * as z from '../core/zod.js';
import { nearSchema } from '../core/geo/geo-query.js';
import { DEVICE_PLATFORMS } from '../core/push/push-platforms.js';
import { MAX_USER_IDS } from '../core/push/send-notification.js';
import { defineOperation, type Operation } from './operation.js';
import { pageOf, pageQuerySchema } from './shared-schemas.js';

const done = { description: 'Done' };
const opaqueId = (what: string) => z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, `not a ${what}`));

export const deviceSchema = z
  .object({ deviceId: z.string(), platform: z.enum(DEVICE_PLATFORMS), createdAt: z.string(), updatedAt: z.string() })
  .register(z.globalRegistry, { id: 'Device' });

export const inboxNotificationSchema = z
  .object({
    notificationId: z.string(),
    title: z.string(),
    body: z.string(),
    data: z.record(z.string(), z.unknown()),
    read: z.boolean(),
    createdAt: z.string(),
  })
  .register(z.globalRegistry, { id: 'InboxNotification' });

export const deliveriesSchema = z
  .object({
    devices: z.number().check(z.int(), z.describe("Pushes SNS accepted for the named users' devices")),
    topics: z.number().check(z.int(), z.describe("Topic publishes (SNS delivers each to every follower's devices)")),
    inbox: z.number().check(z.int(), z.describe('Inbox items written: one per recipient, device or not')),
  })
  .register(z.globalRegistry, { id: 'Deliveries' });

export const registerDeviceOperation = defineOperation({
  operationId: 'registerDevice',
  method: 'POST',
  path: '/push/devices',
  auth: 'required',
  summary:
    "Registers this device's push token as an SNS platform endpoint of the caller. The same token always gives the same device; a token registered by another user moves to the caller. The device joins the topics the caller follows.",
  tag: 'push',
  body: z.strictObject({
    platform: z.enum(DEVICE_PLATFORMS),
    // APNs tokens are 64 hex characters, FCM registration tokens about 160: room for both to grow.
    token: z.string().check(z.minLength(1, 'Required'), z.maxLength(4096, 'At most 4096 characters'), z.regex(/^[\x21-\x7e]+$/, 'Printable ASCII, no spaces')),
  }),
  responses: { 201: { description: 'The device', schema: z.object({ deviceId: z.string() }) } },
});

export const listDevicesOperation = defineOperation({
  operationId: 'listDevices',
  method: 'GET',
  path: '/push/devices',
  auth: 'required',
  summary: "The caller's devices, newest first.",
  tag: 'push',
  query: pageQuerySchema,
  responses: { 200: { description: 'A page of devices', schema: pageOf(deviceSchema) } },
});

export const deleteDeviceOperation = defineOperation({
  operationId: 'deleteDevice',
  method: 'DELETE',
  path: '/push/devices/{deviceId}',
  auth: 'required',
  summary: "Unregisters one of the caller's devices: its topic subscriptions and its SNS endpoint go too.",
  tag: 'push',
  params: z.object({ deviceId: opaqueId('device id') }),
  responses: { 204: done },
});

const topicParams = z.object({ topic: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a topic name')) });

export const followTopicOperation = defineOperation({
  operationId: 'followTopic',
  method: 'PUT',
  path: '/push/topics/{topic}',
  auth: 'required',
  summary: "Subscribes the caller's devices (and those registered later) to a topic declared in the backend's config.",
  tag: 'push',
  params: topicParams,
  responses: { 204: done },
});

export const unfollowTopicOperation = defineOperation({
  operationId: 'unfollowTopic',
  method: 'DELETE',
  path: '/push/topics/{topic}',
  auth: 'required',
  summary: "Unsubscribes the caller's devices from a topic.",
  tag: 'push',
  params: topicParams,
  responses: { 204: done },
});

const dataKey = z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, 'Letters, digits, "_", "." and "-", starting with a letter or "_"'));

export const sendNotificationBodySchema = z.strictObject({
  to: z
    .strictObject({
      userIds: z.optional(z.array(z.string().check(z.regex(/^[\w-]{1,128}$/, 'Not a user id'))).check(z.minLength(1), z.maxLength(MAX_USER_IDS))),
      topic: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'Not a topic name'))),
      near: z.optional(nearSchema).check(z.describe('Every user whose last location (reported within 24 h) lies within radiusMeters (1–50,000)')),
    })
    .check(z.refine((to) => to.userIds !== undefined || to.topic !== undefined || to.near !== undefined, 'Name userIds, a topic, near, or several')),
  notification: z.strictObject({
    title: z.string().check(z.trim(), z.minLength(1, 'Required'), z.maxLength(200, 'At most 200 characters')),
    body: z.string().check(z.maxLength(2000, 'At most 2000 characters')),
    data: z.optional(z.record(dataKey, z.json())),
  }),
});

export const sendNotificationOperation = defineOperation({
  operationId: 'sendNotification',
  method: 'POST',
  path: '/push/send',
  auth: 'required',
  summary:
    "Sends a notification to users (every device of each) and/or a topic (every follower's devices), and writes it to every recipient's inbox (admin group only). The payload must fit APNs' and FCM's 4 KB.",
  tag: 'push',
  body: sendNotificationBodySchema,
  idempotent: true,
  responses: {
    202: {
      description: 'Sent: the notification id and what it reached',
      schema: z.object({ notificationId: z.string(), deliveries: deliveriesSchema }),
    },
  },
});

export const listNotificationsOperation = defineOperation({
  operationId: 'listNotifications',
  method: 'GET',
  path: '/notifications',
  auth: 'required',
  summary: "The caller's inbox, newest first. Items are kept 90 days.",
  tag: 'notifications',
  query: pageQuerySchema,
  responses: { 200: { description: 'A page of the inbox', schema: pageOf(inboxNotificationSchema) } },
});

export const markNotificationReadOperation = defineOperation({
  operationId: 'markNotificationRead',
  method: 'POST',
  path: '/notifications/{notificationId}/read',
  auth: 'required',
  summary: 'Marks one of the caller\'s notifications read (again is fine).',
  tag: 'notifications',
  params: z.object({ notificationId: opaqueId('notification id') }),
  responses: { 204: done },
});

export const pushOperations: readonly Operation[] = [
  registerDeviceOperation,
  listDevicesOperation,
  deleteDeviceOperation,
  followTopicOperation,
  unfollowTopicOperation,
  sendNotificationOperation,
  listNotificationsOperation,
  markNotificationReadOperation,
];
