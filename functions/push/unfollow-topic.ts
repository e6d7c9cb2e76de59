/** 🔒 DELETE /push/topics/{topic} → 204: the caller's devices stop receiving the topic. */
import { systemClock } from '../core/clock.js';
import { unfollowTopic } from '../core/push/topics.js';
import { unfollowTopicOperation } from '../contract/push.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { deviceStore, pushGateway, pushResources, pushSettings, topicFollows } from './push-wiring.js';

const resources = pushResources();
const deps = { devices: deviceStore(), follows: topicFollows(), gateway: pushGateway(resources), clock: systemClock, settings: pushSettings(resources) };

export const handler = httpHandler(unfollowTopicOperation, async ({ caller, params }) => {
  await unfollowTopic(deps, caller, params.topic);
  return noContent();
});
