/**
 * The device registry: one SNS platform endpoint per push token, kept under the user who last
 * registered it.
 *
 * A device's id is derived from its platform and token, so registering the same token again finds
 * the same device with no look-up item, and a token that moved to another user (a shared or
 * resold phone) changes the device's owner: the old owner's topic subscriptions go, the new
 * owner's topics are joined. Every step can be repeated, so a retry after a failure finishes the
 * job: SNS's CreatePlatformEndpoint and Subscribe return what exists, Unsubscribe and
 * DeleteEndpoint accept what is gone.
 */
import { createHash } from 'node:crypto';
import pMap from 'p-map';
import type { Caller } from '../config/access-rules.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { allPages, cursorOf, positionOf } from '../pagination/owner-pages.js';
import { CONFIG_KEY, type DevicePlatform } from './push-platforms.js';
import type { DeviceRecord, EndpointRemoval, PushDependencies } from './push-ports.js';

/** A device as its owner sees it. */
export type DeviceView = { deviceId: string; platform: DevicePlatform; createdAt: string; updatedAt: string };
/** A device in the owner's export: the token too (it is theirs), and the topics it receives. */
export type DeviceExport = DeviceView & { token: string; topics: string[] };

/** SNS calls on one user's devices at once (subscribing to a topic, unsubscribing, erasing). */
export const DEVICE_CALL_CONCURRENCY = 10;
const PAGE_SIZE = 100;

/** Removing a device: its record, its subscriptions and its endpoint (erasure passes no more). */
type Removal = { devices: PushDependencies['devices']; gateway: EndpointRemoval };

/** APNs device tokens are hexadecimal (SNS refuses anything else for an APNs application). */
const APNS_TOKEN = /^(?:[0-9a-fA-F]{2}){1,200}$/;

/** 132 bits of SHA-256 over (platform, token), URL-safe: 22 characters. */
export function deviceIdOf(platform: DevicePlatform, token: string): string {
  return createHash('sha256').update(`${platform}\n${token}`).digest('base64url').slice(0, 22);
}

/**
 * What the endpoint's CustomUserData holds: who the device belongs to, readable in the SNS
 * console (and by local mode's outbox) without a look-up in the table.
 */
export function endpointUserData(userId: string, deviceId: string): string {
  return JSON.stringify({ userId, deviceId });
}

/** POST /push/devices: the caller's device for this token, registered (or brought up to date). */
export async function registerDevice(
  deps: Pick<PushDependencies, 'devices' | 'follows' | 'gateway' | 'clock' | 'settings'>,
  caller: Caller,
  input: { platform: DevicePlatform; token: string },
): Promise<{ deviceId: string }> {
  assertPlatformReady(deps.settings, input.platform);
  if (input.platform !== 'fcm' && !APNS_TOKEN.test(input.token)) {
    throw new ValidationError('An APNs device token is hexadecimal: send the token bytes as hex.', { details: [{ path: 'token', message: 'Not an APNs token' }] });
  }
  // Hex is hex in either case: one APNs token, one device (SNS itself keeps them in lower case).
  const token = input.platform === 'fcm' ? input.token : input.token.toLowerCase();
  const deviceId = deviceIdOf(input.platform, token);
  const existing = await deps.devices.get(deviceId);
  const endpointArn = await deps.gateway.ensureEndpoint({ platform: input.platform, token, userData: endpointUserData(caller.userId, deviceId) });
  // Subscriptions of another owner, or of an endpoint SNS no longer has, must not carry over.
  const fresh = !existing || existing.ownerId !== caller.userId || existing.endpointArn !== endpointArn;
  if (existing && fresh) await unsubscribeAll(deps, existing);
  await deps.devices.save({ deviceId, ownerId: caller.userId, platform: input.platform, token, endpointArn }, { at: deps.clock.now(), fresh });
  // A device registered later joins the topics its user follows.
  const joined = fresh ? {} : existing.subscriptions;
  const missing = (await deps.follows.topicsOf(caller.userId)).filter(({ topic }) => joined[topic] === undefined && deps.settings.topics.includes(topic));
  await pMap(
    missing,
    async ({ topic }) => deps.devices.setSubscription(deviceId, caller.userId, topic, await deps.gateway.subscribe(topic, endpointArn)),
    { concurrency: DEVICE_CALL_CONCURRENCY },
  );
  return { deviceId };
}

/** GET /push/devices: the caller's devices, newest first. */
export async function listDevices(
  deps: Pick<PushDependencies, 'devices' | 'cursors'>,
  caller: Caller,
  page: { limit: number; cursor?: string },
): Promise<{ items: DeviceView[]; nextCursor: string | null }> {
  const scope = { list: 'devices', caller: caller.userId };
  const cursors = page.cursor === undefined ? undefined : await deps.cursors();
  const after = cursors ? positionOf(cursors, page.cursor, scope) : undefined;
  // The owner's partition comes from the caller, never from the cursor.
  const { items, next } = await deps.devices.listByOwner(caller.userId, { limit: page.limit, after });
  return { items: items.map(toDeviceView), nextCursor: next ? cursorOf(await deps.cursors(), next, scope) : null };
}

/** DELETE /push/devices/{deviceId}: its subscriptions, its endpoint, then the record. Another user's device is 404. */
export async function deleteDevice(deps: Pick<PushDependencies, 'devices' | 'gateway'>, caller: Caller, deviceId: string): Promise<void> {
  const device = await deps.devices.get(deviceId);
  if (!device || device.ownerId !== caller.userId) throw new NotFoundError('No such device.');
  await removeDevice(deps, device);
}

/**
 * Removes a device everywhere, in an order a retry can finish: its topic subscriptions, its
 * endpoint, and last the record that remembers them.
 */
export async function removeDevice(deps: Removal, device: DeviceRecord): Promise<void> {
  await unsubscribeAll(deps, device);
  await deps.gateway.deleteEndpoint(device.endpointArn);
  await deps.devices.delete(device.deviceId, device.ownerId);
}

/** Every device of `userId`, newest first. */
export function allDevicesOf(deps: Pick<PushDependencies, 'devices'>, userId: string): Promise<DeviceRecord[]> {
  return allPages((after) => deps.devices.listByOwner(userId, { limit: PAGE_SIZE, after }));
}

/** For GET /me/export. */
export async function exportDevices(deps: Pick<PushDependencies, 'devices'>, userId: string): Promise<DeviceExport[]> {
  return (await allDevicesOf(deps, userId)).map((device) => ({ ...toDeviceView(device), token: device.token, topics: Object.keys(device.subscriptions).sort() }));
}

/** For DELETE /me: every device of the user, subscriptions and endpoints included. Safe to run again. */
export async function eraseDevices(deps: Removal, userId: string): Promise<void> {
  await pMap(await allDevicesOf(deps, userId), (device) => removeDevice(deps, device), { concurrency: DEVICE_CALL_CONCURRENCY });
}

/**
 * A platform the config does not enable, or whose credentials secret does not exist yet, is a 400
 * that names the setting to add.
 */
export function assertPlatformReady(settings: PushDependencies['settings'], platform: DevicePlatform): void {
  const configured = settings.platforms[platform];
  if (!configured) {
    throw new ValidationError(`Push platform "${platform}" is not configured: add push.${CONFIG_KEY[platform]} in lambase.config.ts.`, {
      details: [{ path: 'platform', message: `Not configured (push.${CONFIG_KEY[platform]} in lambase.config.ts)` }],
    });
  }
  if (!configured.ready) {
    throw new ValidationError(
      `Push platform "${platform}" has no credentials yet: create the secret ${configured.secretName} and deploy again with -c pushRefresh=1.`,
      { details: [{ path: 'platform', message: `Secret ${configured.secretName} does not exist` }] },
    );
  }
}

async function unsubscribeAll(deps: Removal, device: DeviceRecord): Promise<void> {
  await pMap(
    Object.entries(device.subscriptions),
    async ([topic, subscriptionArn]) => {
      await deps.gateway.unsubscribe(subscriptionArn);
      await deps.devices.setSubscription(device.deviceId, device.ownerId, topic, undefined);
    },
    { concurrency: DEVICE_CALL_CONCURRENCY },
  );
}

function toDeviceView(device: DeviceRecord): DeviceView {
  return { deviceId: device.deviceId, platform: device.platform, createdAt: device.createdAt, updatedAt: device.updatedAt };
}
