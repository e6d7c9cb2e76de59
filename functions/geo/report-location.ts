/** 🔒 PUT /me/location → 200 { location, updatedAt, entered, exited, inside }. */
import { reportLocationOperation } from '../contract/geo.js';
import { reportLocation } from '../core/geo/user-location.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { locationDeps } from './geo-wiring.js';

const deps = locationDeps();

export const handler = httpHandler(reportLocationOperation, async ({ caller, body }) => ok(await reportLocation(deps, caller, body)));
