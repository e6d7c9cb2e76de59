/**
 * The push feature's wiring (devices, topics, sending, the inbox): its parts, each built on call
 * over the environment's shared SDK clients, from the environment its grant provides (the
 * pattern: functions/data/data-wiring.ts).
 *
 * @example
 * const deps = { devices: deviceStore(), follows: topicFollows(), gateway: pushGateway(), clock: systemClock, settings: pushSettings() };
 */
import { createHash, randomBytes } from 'node:crypto';
import * as z from '../core/zod.js';
import backend from '../shared/backend-settings.js';
import { documentClient, secretsManagerClient, snsClient } from '../adapters/aws-clients.js';
import { tableCursors } from '../adapters/dynamodb-cursor-key.js';
import { DynamoDbDeviceStore } from '../adapters/dynamodb-device-store.js';
import { DynamoDbInboxStore } from '../adapters/dynamodb-inbox-store.js';
import { DynamoDbTopicFollowStore } from '../adapters/dynamodb-topic-follow-store.js';
import { readJsonSecret } from '../adapters/secrets-manager-json-secret.js';
import { SnsPlatformApplications } from '../adapters/sns-platform-applications.js';
import { SnsEndpointRemoval } from '../adapters/sns-endpoint-removal.js';
import { SnsPushGateway, type SnsPushResources } from '../adapters/sns-push-gateway.js';
import type { OwnedData } from '../core/auth/ports.js';
import { systemClock } from '../core/clock.js';
import { usersNear } from '../core/geo/user-location.js';
import type { PageCursors } from '../core/pagination/cursor.js';
import { eraseDevices, exportDevices } from '../core/push/devices.js';
import { eraseInbox, exportInbox } from '../core/push/inbox.js';
import { CONFIG_KEY, DEVICE_PLATFORMS } from '../core/push/push-platforms.js';
import type { PushDependencies, PushSettings } from '../core/push/push-ports.js';
import { sendNotification, sendToInbox, type InboxRequest, type SendRequest, type SendResult } from '../core/push/send-notification.js';
import { eraseTopics, exportTopics } from '../core/push/topics.js';
import { locationStore } from '../geo/geo-wiring.js';
import { dynamoDbMeter } from '../shared/dynamodb-usage.js';
import { ENV, requireEnv } from '../shared/env.js';
import { logger } from '../shared/logger.js';

/** Devices in the single table (grant: `table`). */
export function deviceStore(): DynamoDbDeviceStore {
  return new DynamoDbDeviceStore(documentClient(dynamoDbMeter), requireEnv(ENV.tableName));
}

/** Topic follows in the single table (grant: `table`). */
export function topicFollows(): DynamoDbTopicFollowStore {
  return new DynamoDbTopicFollowStore(documentClient(dynamoDbMeter), requireEnv(ENV.tableName));
}

/** Inbox items in the single table (grant: `table`). */
export function inboxStore(): DynamoDbInboxStore {
  return new DynamoDbInboxStore(documentClient(dynamoDbMeter), requireEnv(ENV.tableName));
}

/** Page cursors for device and inbox lists (grant: `cursorKey`). */
export function pushCursors(): () => Promise<PageCursors> {
  return tableCursors(documentClient(dynamoDbMeter), requireEnv(ENV.tableName));
}

// Built when read, not at load: esbuild keeps a module-scope schema in every bundle that loads
// this module (account erasure reads no ARN map).
const arnMap = () => z.record(z.string(), z.string());

/** The platform applications and topics the push construct (or local mode) names (grant: `push`). */
export function pushResources(): SnsPushResources {
  return { applications: JSON.parse(requireEnv(ENV.pushApplications)) as SnsPushResources['applications'], topics: arnMap().parse(JSON.parse(requireEnv(ENV.pushTopics))) };
}

/** SNS mobile push (grant: `push(...)` with the actions the handler calls). */
export function pushGateway(resources: SnsPushResources = pushResources()): SnsPushGateway {
  return new SnsPushGateway(snsClient(), resources);
}

/**
 * lambase.config.ts `push` and `auth.adminGroup`: a platform in the config is ready once its
 * platform application exists (its ARN is '' until the credentials secret does).
 */
export function pushSettings(resources: SnsPushResources = pushResources()): PushSettings {
  const platforms: PushSettings['platforms'] = {};
  for (const platform of DEVICE_PLATFORMS) {
    const configured = backend.push[CONFIG_KEY[platform]];
    if (configured) platforms[platform] = { secretName: configured.secretName, ready: Boolean(resources.applications[platform]) };
  }
  return { platforms, topics: backend.push.topics, adminGroup: backend.auth.adminGroup };
}

/** 128 random bits, URL-safe (22 characters). */
export const newNotificationId = () => randomBytes(16).toString('base64url');

/**
 * The notification id of a send retried under one `Idempotency-Key`: the same id, so a retry after a
 * failure overwrites the inbox items the first attempt wrote instead of adding new ones.
 */
export function notificationIdFor(callerId: string, idempotencyKey: string | undefined): string | undefined {
  return idempotencyKey === undefined ? undefined : createHash('sha256').update(`${callerId}#${idempotencyKey}`).digest('base64url').slice(0, 22);
}

/** Reports a device a send could not reach (it stays registered; the next send tries again). */
export function logDeliveryFailure(failure: { deviceId: string; error: unknown }): void {
  logger.warn('push to a device failed', { deviceId: failure.deviceId, error: failure.error as Error });
}

/** Everything sending needs, `to: { near }` included (grants: `tableReadWrite`, `push('Publish', 'Unsubscribe', 'DeleteEndpoint')`). */
export function sendDependencies(): Omit<PushDependencies, 'cursors'> {
  const resources = pushResources();
  return {
    devices: deviceStore(),
    follows: topicFollows(),
    inbox: inboxStore(),
    gateway: pushGateway(resources),
    clock: systemClock,
    settings: pushSettings(resources),
    newNotificationId,
    onDeliveryFailure: logDeliveryFailure,
    usersNear: (near) => usersNear({ locations: locationStore(), clock: systemClock }, near),
  };
}

/**
 * The server-side push API that functions reach through their `ctx`: sends on the server's own
 * authority (no admin check), with the same fan-out and inbox as `POST /push/send`.
 *
 * @example
 * await pushService().send({ to: { topic: 'posts' }, notification: { title: 'New post', body, data: { postId } } });
 */
export function pushService(): { send(request: SendRequest): Promise<SendResult> } {
  const deps = sendDependencies();
  return { send: (request) => sendNotification(deps, request) };
}

/**
 * The server-side inbox API (functions' `ctx.notifications`): notifications into users' inboxes,
 * without pushing to any device (grant: `tableWrite` only).
 *
 * @example
 * await inboxService().send({ userIds: [userId], notification: { title: 'Welcome!', body: 'Glad you are here.' } });
 */
export function inboxService(): { send(request: InboxRequest): Promise<{ notificationId: string; inbox: number }> } {
  const deps = { inbox: inboxStore(), clock: systemClock, newNotificationId };
  return { send: (request) => sendToInbox(deps, request) };
}

/**
 * What a user owns in push, for `GET /me/export` and `DELETE /me` (functions/auth/auth-wiring.ts):
 * devices (with their endpoints and subscriptions), then topic follows, then the inbox. Each part
 * is built when used, so exporting (table reads only) never needs SNS.
 */
export function ownedPushData(): OwnedData[] {
  // Adapters are cheap objects over the environment's one client each: built per call.
  return [
    {
      kind: 'devices',
      exportFor: (userId) => exportDevices({ devices: deviceStore() }, userId),
      // Erasing needs no platform application or topic: only the ARNs the records keep.
      eraseFor: (userId) => eraseDevices({ devices: deviceStore(), gateway: new SnsEndpointRemoval(snsClient()) }, userId),
    },
    {
      kind: 'topics',
      exportFor: (userId) => exportTopics({ follows: topicFollows() }, userId),
      eraseFor: (userId) => eraseTopics({ follows: topicFollows() }, userId),
    },
    {
      kind: 'notifications',
      exportFor: (userId) => exportInbox({ inbox: inboxStore(), clock: systemClock }, userId),
      eraseFor: (userId) => eraseInbox({ inbox: inboxStore() }, userId),
    },
  ];
}

/** SNS platform applications (the custom resource's grants: `sns:*PlatformApplication*`). */
export function platformApplications(): SnsPlatformApplications {
  return new SnsPlatformApplications(snsClient());
}

/** Reads a push platform's credentials secret by name (`secretsmanager:GetSecretValue` on `lambase/push/*`). */
export function pushSecrets(): (secretName: string) => Promise<Record<string, string> | undefined> {
  const client = secretsManagerClient();
  return (secretName) => readJsonSecret(client, secretName);
}
