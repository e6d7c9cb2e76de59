/** 🔒 GET /push/devices → 200 a page of the caller's devices, newest first. */
import { listDevices } from '../core/push/devices.js';
import { listDevicesOperation } from '../contract/push.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { deviceStore, pushCursors } from './push-wiring.js';

const deps = { devices: deviceStore(), cursors: pushCursors() };

export const handler = httpHandler(listDevicesOperation, async ({ caller, query }) => ok(await listDevices(deps, caller, query)));
