/**
 * Sending a notification: to users (each of their devices) and/or a topic (its SNS topic, which
 * SNS fans out to the followers' devices), and always into every recipient's inbox. The HTTP route
 * (`POST /push/send`, admin group only) and server-side code (functions) call the same
 * `sendNotification`.
 *
 * The fan-out runs inside the function with bounded concurrency (ARCHITECTURE.md, "Push"): the
 * answer's `deliveries` is then exact, no queue is needed, and local mode runs the same code. A
 * send to 10,000 devices is 200 rounds of 50 parallel Publish calls.
 *
 * @example
 * await sendNotification(deps, { to: { topic: 'posts' }, notification: { title: 'New post', body: post.title, data: { postId } } });
 */
import pMap from 'p-map';
import { assertAdmin } from '../auth/user-admin.js';
import type { Caller } from '../config/access-rules.js';
import { ValidationError } from '../errors.js';
import { allDevicesOf, removeDevice } from './devices.js';
import { inboxExpiry } from './inbox.js';
import { assertDeliverable, type PushMessage } from './push-payloads.js';
import type { DeviceRecord, InboxItem, PushDependencies } from './push-ports.js';
import { assertTopic } from './topics.js';

/** Publish calls in flight at once: the SDK's default socket pool (50 per host), so none waits for a socket. */
export const PUBLISH_CONCURRENCY = 50;
/** Recipients whose devices are looked up at once (one Query each). */
export const DEVICE_LOOKUP_CONCURRENCY = 10;
/** Inbox items per write (one BatchWriteItem), and such writes at once. */
export const INBOX_CHUNK = 25;
export const INBOX_WRITE_CONCURRENCY = 8;
/** Users named in one send (the body limit allows about this many ids too). */
export const MAX_USER_IDS = 1000;
const FOLLOWER_PAGE = 1000;

export type SendRequest = {
  /** `near`: every user whose last location (reported within 24 h) lies within the radius. */
  to: { userIds?: readonly string[]; topic?: string; near?: { lat: number; lng: number; radiusMeters: number } };
  notification: { title: string; body: string; data?: Record<string, unknown> };
  /**
   * Names the notification. A retried send with the same id overwrites the inbox items it wrote
   * instead of adding new ones (devices may receive it again). @default a fresh id
   */
  notificationId?: string;
};

/**
 * What a send reached: pushes SNS accepted for the named users' devices, topic publishes (SNS
 * delivers those to every follower's devices), and inbox items written (one per recipient).
 */
export type Deliveries = { devices: number; topics: number; inbox: number };
export type SendResult = { notificationId: string; deliveries: Deliveries };

type SendDeps = Pick<
  PushDependencies,
  'devices' | 'follows' | 'inbox' | 'gateway' | 'clock' | 'settings' | 'newNotificationId' | 'onDeliveryFailure' | 'usersNear'
>;

/** POST /push/send: members of the admin group only (else 403). */
export async function sendAsAdmin(deps: SendDeps, caller: Caller, request: SendRequest): Promise<SendResult> {
  assertAdmin(caller, deps.settings.adminGroup);
  return sendNotification(deps, request);
}

/** Sends `request`, on the server's own authority (no caller: functions call this directly). */
export async function sendNotification(deps: SendDeps, request: SendRequest): Promise<SendResult> {
  const message: PushMessage = { title: request.notification.title, body: request.notification.body, data: request.notification.data ?? {} };
  const { topic, near } = request.to;
  if (near !== undefined && !deps.usersNear) throw new Error('to.near needs the usersNear dependency');
  // Users near a point are recipients like named users: their devices, and their inboxes.
  const nearby = near === undefined ? [] : await deps.usersNear!(near);
  const userIds = [...new Set([...(request.to.userIds ?? []), ...nearby])];
  if (userIds.length === 0 && topic === undefined && near === undefined) throw new ValidationError('Name the recipients: to.userIds, to.topic, to.near, or several.');
  if ((request.to.userIds?.length ?? 0) > MAX_USER_IDS) throw new ValidationError(`At most ${MAX_USER_IDS} userIds per send; send to a topic to reach more.`);
  if (topic !== undefined) assertTopic(deps.settings, topic);
  assertDeliverable(message);

  const notificationId = request.notificationId ?? deps.newNotificationId();
  const now = deps.clock.now();
  const followers = topic === undefined ? new Set<string>() : await followersOf(deps, topic);
  const recipients = [...new Set([...userIds, ...followers])];

  // 1. The inbox of every recipient, device or not.
  await writeInbox(deps, recipients, { notificationId, ...message, createdAt: now.toISOString() }, now);
  // 2. The topic, once: SNS delivers it to every subscribed device.
  if (topic !== undefined) await deps.gateway.publishToTopic(topic, message);
  // 3. The named users' devices, except where the topic already reached them (a follower's
  //    devices are subscribed to it).
  const direct = userIds.filter((userId) => !followers.has(userId));
  const devices = (await pMap(direct, (userId) => allDevicesOf(deps, userId), { concurrency: DEVICE_LOOKUP_CONCURRENCY })).flat();
  const sent = await publishToDevices(deps, devices, message);
  return { notificationId, deliveries: { devices: sent, topics: topic === undefined ? 0 : 1, inbox: recipients.length } };
}

export type InboxRequest = Pick<SendRequest, 'notification' | 'notificationId'> & { userIds: readonly string[] };

/**
 * Writes a notification into users' inboxes only, pushing to no device (server-side code's
 * `ctx.notifications`). A retry with the same `notificationId` overwrites instead of adding.
 */
export async function sendToInbox(
  deps: Pick<SendDeps, 'inbox' | 'clock' | 'newNotificationId'>,
  request: InboxRequest,
): Promise<{ notificationId: string; inbox: number }> {
  const userIds = [...new Set(request.userIds)];
  if (userIds.length === 0) throw new ValidationError('Name the recipients: userIds.');
  if (userIds.length > MAX_USER_IDS) throw new ValidationError(`At most ${MAX_USER_IDS} userIds per send.`);
  const notificationId = request.notificationId ?? deps.newNotificationId();
  const now = deps.clock.now();
  const { title, body, data = {} } = request.notification;
  await writeInbox(deps, userIds, { notificationId, title, body, data, createdAt: now.toISOString() }, now);
  return { notificationId, inbox: userIds.length };
}

/** One inbox item per recipient, `INBOX_CHUNK` to a BatchWriteItem, `INBOX_WRITE_CONCURRENCY` at once. */
async function writeInbox(deps: Pick<SendDeps, 'inbox'>, recipients: readonly string[], item: Omit<InboxItem, 'read'>, now: Date): Promise<void> {
  await pMap(chunks(recipients, INBOX_CHUNK), (chunk) => deps.inbox.putMany(chunk, item, inboxExpiry(now)), { concurrency: INBOX_WRITE_CONCURRENCY });
}

/**
 * Publishes to each device, `PUBLISH_CONCURRENCY` at a time, and returns how many SNS accepted.
 * Devices whose endpoint SNS reports disabled or gone are removed from the registry (and SNS); a
 * device that fails otherwise is reported and skipped, so one bad device never fails the send.
 */
async function publishToDevices(deps: SendDeps, devices: readonly DeviceRecord[], message: PushMessage): Promise<number> {
  const gone: DeviceRecord[] = [];
  let sent = 0;
  await pMap(
    devices,
    async (device) => {
      try {
        if ((await deps.gateway.publishToEndpoint(device.endpointArn, message)) === 'sent') sent += 1;
        else gone.push(device);
      } catch (error) {
        deps.onDeliveryFailure({ deviceId: device.deviceId, error });
      }
    },
    { concurrency: PUBLISH_CONCURRENCY },
  );
  await pMap(
    gone,
    (device) => removeDevice(deps, device).catch((error: unknown) => deps.onDeliveryFailure({ deviceId: device.deviceId, error })),
    { concurrency: DEVICE_LOOKUP_CONCURRENCY },
  );
  return sent;
}

async function followersOf(deps: Pick<PushDependencies, 'follows'>, topic: string): Promise<Set<string>> {
  const followers = new Set<string>();
  let after: string | undefined;
  do {
    const page = await deps.follows.followers(topic, { limit: FOLLOWER_PAGE, after });
    for (const userId of page.userIds) followers.add(userId);
    after = page.after;
  } while (after !== undefined);
  return followers;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));
}
