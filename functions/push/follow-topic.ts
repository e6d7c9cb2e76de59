/** 🔒 PUT /push/topics/{topic} → 204: the caller's devices (and those registered later) receive the topic. */
import { systemClock } from '../core/clock.js';
import { followTopic } from '../core/push/topics.js';
import { followTopicOperation } from '../contract/push.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { deviceStore, pushGateway, pushResources, pushSettings, topicFollows } from './push-wiring.js';

const resources = pushResources();
const deps = { devices: deviceStore(), follows: topicFollows(), gateway: pushGateway(resources), clock: systemClock, settings: pushSettings(resources) };

export const handler = httpHandler(followTopicOperation, async ({ caller, params }) => {
  await followTopic(deps, caller, params.topic);
  return noContent();
});
