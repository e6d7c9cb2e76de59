/**
 * Topics: a user follows a topic declared in lambase.config.ts, and each of their devices is
 * subscribed to that topic's SNS topic (devices registered later join on registration). The
 * follow is what decides; the subscriptions follow it, each recorded on its device so that
 * unfollowing and deleting can unsubscribe it. Both directions can be retried.
 */
import pMap from 'p-map';
import type { Caller } from '../config/access-rules.js';
import { NotFoundError } from '../errors.js';
import { allDevicesOf, DEVICE_CALL_CONCURRENCY } from './devices.js';
import type { PushDependencies, TopicFollow } from './push-ports.js';

type TopicDeps = Pick<PushDependencies, 'devices' | 'follows' | 'gateway' | 'clock' | 'settings'>;

/** PUT /push/topics/{topic}: the caller follows it, and every device of theirs receives it. */
export async function followTopic(deps: TopicDeps, caller: Caller, topic: string): Promise<void> {
  assertTopic(deps.settings, topic);
  // The follow first: a device registered from now on joins the topic by itself.
  await deps.follows.follow(caller.userId, topic, deps.clock.now());
  const devices = (await allDevicesOf(deps, caller.userId)).filter((device) => device.subscriptions[topic] === undefined);
  await pMap(
    devices,
    async (device) => deps.devices.setSubscription(device.deviceId, caller.userId, topic, await deps.gateway.subscribe(topic, device.endpointArn)),
    { concurrency: DEVICE_CALL_CONCURRENCY },
  );
}

/** DELETE /push/topics/{topic}: the caller's devices stop receiving it. Unfollowing twice is fine. */
export async function unfollowTopic(deps: TopicDeps, caller: Caller, topic: string): Promise<void> {
  assertTopic(deps.settings, topic);
  // The follow goes first, so no device joins again; the subscriptions recorded on the devices
  // stay until each is gone, so a retry finds what is left.
  await deps.follows.unfollow(caller.userId, topic);
  const devices = (await allDevicesOf(deps, caller.userId)).filter((device) => device.subscriptions[topic] !== undefined);
  await pMap(
    devices,
    async (device) => {
      await deps.gateway.unsubscribe(device.subscriptions[topic]!);
      await deps.devices.setSubscription(device.deviceId, caller.userId, topic, undefined);
    },
    { concurrency: DEVICE_CALL_CONCURRENCY },
  );
}

/** For GET /me/export: the topics the user follows. */
export function exportTopics(deps: Pick<PushDependencies, 'follows'>, userId: string): Promise<TopicFollow[]> {
  return deps.follows.topicsOf(userId);
}

/** For DELETE /me, after the devices (and so their subscriptions) are gone. */
export async function eraseTopics(deps: Pick<PushDependencies, 'follows'>, userId: string): Promise<void> {
  for (const { topic } of await deps.follows.topicsOf(userId)) await deps.follows.unfollow(userId, topic);
}

/** Topics not declared in lambase.config.ts do not exist (404). */
export function assertTopic(settings: PushDependencies['settings'], topic: string): void {
  if (!settings.topics.includes(topic)) throw new NotFoundError(`No topic named "${topic}".`);
}
