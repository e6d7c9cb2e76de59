/**
 * 🔒 POST /push/devices → 201 `{ deviceId }`. Registering the same token again gives the same
 * device (brought up to date in SNS); a token registered by another user moves to the caller.
 */
import { systemClock } from '../core/clock.js';
import { registerDevice } from '../core/push/devices.js';
import { registerDeviceOperation } from '../contract/push.js';
import { httpHandler } from '../shared/http-handler.js';
import { created } from '../shared/http-result.js';
import { deviceStore, pushGateway, pushResources, pushSettings, topicFollows } from './push-wiring.js';

const resources = pushResources();
const deps = { devices: deviceStore(), follows: topicFollows(), gateway: pushGateway(resources), clock: systemClock, settings: pushSettings(resources) };

export const handler = httpHandler(registerDeviceOperation, async ({ caller, body }) => created(await registerDevice(deps, caller, body)));
