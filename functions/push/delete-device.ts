/** 🔒 DELETE /push/devices/{deviceId} → 204: subscriptions, endpoint and record are gone; another user's device is 404. */
import { deleteDevice } from '../core/push/devices.js';
import { deleteDeviceOperation } from '../contract/push.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { deviceStore, pushGateway } from './push-wiring.js';

const deps = { devices: deviceStore(), gateway: pushGateway() };

export const handler = httpHandler(deleteDeviceOperation, async ({ caller, params }) => {
  await deleteDevice(deps, caller, params.deviceId);
  return noContent();
});
