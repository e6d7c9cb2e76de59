/**
 * What the push integration tests share: an SNS emulator of their own (the global one's deliveries
 * are in another process), every delivery it makes collected, the push handlers loaded once the
 * environment points at it, and callers whose claims are passed the way API Gateway's JWT
 * authorizer does. DynamoDB stays the global emulator.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SNSClient } from '@aws-sdk/client-sns';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../../functions/adapters/aws-clients.js';
import { ENV } from '../../../functions/shared/env.js';
import backend from '../../../lambase.config.js';
import { CONFIG_KEY, DEVICE_PLATFORMS } from '../../../functions/core/push/push-platforms.js';
import { startSns, type LocalSns, type SnsDelivery } from '../../../local/emulators/sns/start-sns.js';
import { callHttp, type HttpResponse } from '../../fixtures/lambda.js';

export type TestCaller = { userId: string; groups: string[] };
export const newUser = (groups: string[] = []): TestCaller => ({ userId: randomUUID(), groups });
export const newAdmin = () => newUser(['admin']);
/** A token each platform accepts: APNs tokens are hex, FCM tokens anything printable. */
export const apnsToken = () => randomBytes(32).toString('hex');
export const fcmToken = () => `fcm:${randomBytes(60).toString('base64url')}`;

type Handler = Parameters<typeof callHttp>[0];

export async function startPushHarness() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-push-it-'));
  const deliveries: SnsDelivery[] = [];
  const sns: LocalSns = await startSns({
    dataDir,
    region: process.env.AWS_REGION,
    platforms: DEVICE_PLATFORMS.filter((platform) => backend.push[CONFIG_KEY[platform]]),
    topics: backend.push.topics,
    onDelivery: (delivery) => deliveries.push(delivery),
  });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    [ENV.pushApplications]: JSON.stringify(sns.applicationArns),
    [ENV.pushTopics]: JSON.stringify(sns.topicArns),
  });
  const handlers = {
    register: (await import('../../../functions/push/register-device.js')).handler as Handler,
    list: (await import('../../../functions/push/list-devices.js')).handler as Handler,
    remove: (await import('../../../functions/push/delete-device.js')).handler as Handler,
    follow: (await import('../../../functions/push/follow-topic.js')).handler as Handler,
    unfollow: (await import('../../../functions/push/unfollow-topic.js')).handler as Handler,
    send: (await import('../../../functions/push/send-notification.js')).handler as Handler,
    inbox: (await import('../../../functions/push/list-notifications.js')).handler as Handler,
    read: (await import('../../../functions/push/mark-notification-read.js')).handler as Handler,
  };
  const claims = (caller: TestCaller) => ({ claims: { sub: caller.userId, username: caller.userId, 'cognito:groups': caller.groups, token_use: 'access' } });
  const call = (handler: Handler, caller: TestCaller, method: string, route: string, options: { path?: string; json?: unknown; pathParameters?: Record<string, string>; query?: string; headers?: Record<string, string> } = {}) =>
    callHttp(handler, {
      method,
      path: options.path ?? route,
      routeKey: `${method} ${route}`,
      json: options.json,
      pathParameters: options.pathParameters,
      rawQueryString: options.query ?? '',
      headers: options.headers,
      ...claims(caller),
    });
  const table = createDocumentClient();

  return {
    sns,
    deliveries,
    /** An SDK client on the harness's SNS, for what a test does to SNS directly (disable an endpoint). */
    snsClient: new SNSClient({ endpoint: sns.endpoint }),
    register: (caller: TestCaller, body: unknown): Promise<HttpResponse> => call(handlers.register, caller, 'POST', '/push/devices', { json: body }),
    listDevices: (caller: TestCaller, query = ''): Promise<HttpResponse> => call(handlers.list, caller, 'GET', '/push/devices', { query }),
    deleteDevice: (caller: TestCaller, deviceId: string): Promise<HttpResponse> =>
      call(handlers.remove, caller, 'DELETE', '/push/devices/{deviceId}', { path: `/push/devices/${deviceId}`, pathParameters: { deviceId } }),
    follow: (caller: TestCaller, topic: string): Promise<HttpResponse> =>
      call(handlers.follow, caller, 'PUT', '/push/topics/{topic}', { path: `/push/topics/${topic}`, pathParameters: { topic } }),
    unfollow: (caller: TestCaller, topic: string): Promise<HttpResponse> =>
      call(handlers.unfollow, caller, 'DELETE', '/push/topics/{topic}', { path: `/push/topics/${topic}`, pathParameters: { topic } }),
    send: (caller: TestCaller, body: unknown, headers?: Record<string, string>): Promise<HttpResponse> =>
      call(handlers.send, caller, 'POST', '/push/send', { json: body, headers }),
    inbox: (caller: TestCaller, query = ''): Promise<HttpResponse> => call(handlers.inbox, caller, 'GET', '/notifications', { query }),
    markRead: (caller: TestCaller, notificationId: string): Promise<HttpResponse> =>
      call(handlers.read, caller, 'POST', '/notifications/{notificationId}/read', { path: `/notifications/${notificationId}/read`, pathParameters: { notificationId } }),
    /** Every item of one owner and kind in the table (`_devices`, `_inbox`), through byOwnerCreated. */
    async ownedItems(kind: string, userId: string): Promise<Record<string, unknown>[]> {
      const { Items } = await table.send(
        new QueryCommand({
          TableName: process.env[ENV.tableName],
          IndexName: 'byOwnerCreated',
          KeyConditionExpression: 'ownerKey = :key',
          ExpressionAttributeValues: { ':key': `${kind}#${userId}` },
        }),
      );
      return Items ?? [];
    },
    async stop() {
      await sns.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type PushHarness = Awaited<ReturnType<typeof startPushHarness>>;
