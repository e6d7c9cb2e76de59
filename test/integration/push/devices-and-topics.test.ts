/**
 * The device registry and topics against DynamoDB Local and the local SNS (the production
 * adapters, unchanged): the same token is the same device, a token that changes hands moves with
 * its subscriptions, another user's device is 404, topics follow their users' devices.
 */
import { GetEndpointAttributesCommand, SetEndpointAttributesCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../functions/core/clock.js';
import { registerDevice } from '../../../functions/core/push/devices.js';
import { ValidationError } from '../../../functions/core/errors.js';
import { deviceStore, pushGateway, topicFollows } from '../../../functions/push/push-wiring.js';
import { apnsToken, fcmToken, newUser, startPushHarness, type PushHarness } from './push-harness.js';

let push: PushHarness;
beforeAll(async () => {
  push = await startPushHarness();
});
afterAll(() => push?.stop());

type DeviceBody = { deviceId: string };
type DevicePage = { items: { deviceId: string; platform: string; createdAt: string; updatedAt: string }[]; nextCursor: string | null };

const endpointOf = (deviceId: string) => push.sns.snapshot().endpoints.find((endpoint) => JSON.parse(endpoint.customUserData ?? '{}').deviceId === deviceId);
const subscriptionsOf = (endpointArn: string) => push.sns.snapshot().subscriptions.filter((subscription) => subscription.endpointArn === endpointArn);

describe('POST /push/devices', () => {
  it('registers a token once: the same token again is the same device and the same endpoint', async () => {
    const user = newUser();
    const token = apnsToken();
    const first = await push.register(user, { platform: 'apns', token });
    const again = await push.register(user, { platform: 'apns', token });
    expect(first.statusCode).toBe(201);
    expect(again.body).toEqual(first.body);
    const { deviceId } = first.body as DeviceBody;
    expect(push.sns.snapshot().endpoints.filter((endpoint) => endpoint.token === token)).toHaveLength(1);
    expect(JSON.parse(endpointOf(deviceId)!.customUserData!)).toEqual({ userId: user.userId, deviceId });

    const page = (await push.listDevices(user)).body as DevicePage;
    expect(page.items).toEqual([{ deviceId, platform: 'apns', createdAt: expect.any(String), updatedAt: expect.any(String) }]);
  });

  it('takes an APNs token in either case as the same device', async () => {
    const user = newUser();
    const token = apnsToken();
    const lower = (await push.register(user, { platform: 'apns', token })).body as DeviceBody;
    expect((await push.register(user, { platform: 'apns', token: token.toUpperCase() })).body).toEqual(lower);
  });

  it('re-enables an endpoint SNS had disabled', async () => {
    const user = newUser();
    const { deviceId } = (await push.register(user, { platform: 'fcm', token: fcmToken() })).body as DeviceBody;
    const endpoint = endpointOf(deviceId)!;
    await push.snsClient.send(new SetEndpointAttributesCommand({ EndpointArn: endpoint.arn, Attributes: { Enabled: 'false' } }));
    await push.register(user, { platform: 'fcm', token: endpoint.token });
    const { Attributes } = await push.snsClient.send(new GetEndpointAttributesCommand({ EndpointArn: endpoint.arn }));
    expect(Attributes?.Enabled).toBe('true');
  });

  it('moves a token registered by another user to the caller, subscriptions and all', async () => {
    const [previous, next] = [newUser(), newUser()];
    const token = fcmToken();
    await push.follow(previous, 'posts');
    const { deviceId } = (await push.register(previous, { platform: 'fcm', token })).body as DeviceBody;
    const endpoint = endpointOf(deviceId)!;
    expect(subscriptionsOf(endpoint.arn)).toHaveLength(1);

    const moved = await push.register(next, { platform: 'fcm', token });
    expect(moved.body).toEqual({ deviceId });
    expect(((await push.listDevices(previous)).body as DevicePage).items).toEqual([]);
    expect(((await push.listDevices(next)).body as DevicePage).items.map((device) => device.deviceId)).toEqual([deviceId]);
    // The previous owner's topic is not the new owner's: unsubscribed in SNS and on the record.
    expect(subscriptionsOf(endpoint.arn)).toEqual([]);
    expect((await deviceStore().get(deviceId))?.subscriptions).toEqual({});
    expect(JSON.parse(endpointOf(deviceId)!.customUserData!).userId).toBe(next.userId);
    // And the previous owner can no longer remove it.
    expect((await push.deleteDevice(previous, deviceId)).statusCode).toBe(404);
  });

  it('refuses a platform the config does not enable, or whose secret is missing, naming the setting', async () => {
    const deps = { devices: deviceStore(), follows: topicFollows(), gateway: pushGateway(), clock: systemClock };
    const only = (platforms: object) => ({ platforms, topics: ['posts'], adminGroup: 'admin' });
    await expect(registerDevice({ ...deps, settings: only({ fcm: { secretName: 'lambase/push/fcm', ready: true } }) }, newUser(), { platform: 'apns-sandbox', token: apnsToken() })).rejects.toThrow(
      /push\.apnsSandbox in lambase\.config\.ts/,
    );
    const missingSecret = registerDevice({ ...deps, settings: only({ fcm: { secretName: 'lambase/push/fcm', ready: false } }) }, newUser(), { platform: 'fcm', token: fcmToken() });
    await expect(missingSecret).rejects.toBeInstanceOf(ValidationError);
    await expect(missingSecret).rejects.toThrow(/lambase\/push\/fcm/);
  });

  it('refuses a bad body and an APNs token that is not hex with 400', async () => {
    const user = newUser();
    expect((await push.register(user, { platform: 'windows', token: 'x' })).statusCode).toBe(400);
    expect((await push.register(user, { platform: 'fcm', token: '' })).statusCode).toBe(400);
    const notHex = await push.register(user, { platform: 'apns', token: 'not-a-hex-token' });
    expect(notHex.statusCode).toBe(400);
    expect(notHex.body).toMatchObject({ error: { code: 'ValidationFailed' } });
  });
});

describe('GET and DELETE /push/devices', () => {
  it('pages through the caller\'s devices newest first, with a cursor only the caller may use', async () => {
    const [user, other] = [newUser(), newUser()];
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) {
      ids.push(((await push.register(user, { platform: 'fcm', token: fcmToken() })).body as DeviceBody).deviceId);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const first = (await push.listDevices(user, 'limit=2')).body as DevicePage;
    const second = (await push.listDevices(user, `limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`)).body as DevicePage;
    expect([...first.items, ...second.items].map((device) => device.deviceId)).toEqual([...ids].reverse());
    expect(second.nextCursor).toBeNull();
    expect((await push.listDevices(other, `cursor=${encodeURIComponent(first.nextCursor!)}`)).statusCode).toBe(400);
  });

  it('deletes the caller\'s device with its endpoint and subscriptions; another user\'s device is 404 and stays', async () => {
    const [owner, other] = [newUser(), newUser()];
    await push.follow(owner, 'posts');
    const { deviceId } = (await push.register(owner, { platform: 'apns-sandbox', token: apnsToken() })).body as DeviceBody;
    const endpoint = endpointOf(deviceId)!;

    expect((await push.deleteDevice(other, deviceId)).statusCode).toBe(404);
    expect(((await push.listDevices(other)).body as DevicePage).items).toEqual([]);
    expect(endpointOf(deviceId)).toBeDefined();

    expect((await push.deleteDevice(owner, deviceId)).statusCode).toBe(204);
    expect(endpointOf(deviceId)).toBeUndefined();
    expect(subscriptionsOf(endpoint.arn)).toEqual([]);
    expect(await push.ownedItems('_devices', owner.userId)).toEqual([]);
    expect((await push.deleteDevice(owner, deviceId)).statusCode).toBe(404);
  });
});

describe('PUT and DELETE /push/topics/{topic}', () => {
  it('subscribes every device of the caller, and those registered later; unfollowing unsubscribes them all', async () => {
    const user = newUser();
    const early = ((await push.register(user, { platform: 'fcm', token: fcmToken() })).body as DeviceBody).deviceId;
    expect((await push.follow(user, 'posts')).statusCode).toBe(204);
    expect((await push.follow(user, 'posts')).statusCode).toBe(204);
    const late = ((await push.register(user, { platform: 'apns', token: apnsToken() })).body as DeviceBody).deviceId;

    const topicArn = push.sns.topicArns.posts!;
    for (const deviceId of [early, late]) {
      expect(subscriptionsOf(endpointOf(deviceId)!.arn).map((subscription) => subscription.topicArn)).toEqual([topicArn]);
    }

    expect((await push.unfollow(user, 'posts')).statusCode).toBe(204);
    expect((await push.unfollow(user, 'posts')).statusCode).toBe(204);
    for (const deviceId of [early, late]) {
      expect(subscriptionsOf(endpointOf(deviceId)!.arn)).toEqual([]);
      expect((await deviceStore().get(deviceId))?.subscriptions).toEqual({});
    }
  });

  it('knows only the topics of the config (404)', async () => {
    expect((await push.follow(newUser(), 'sports')).statusCode).toBe(404);
    expect((await push.unfollow(newUser(), 'sports')).statusCode).toBe(404);
  });
});
