/** 🔒 GET /me/location → 200 { location, updatedAt }, or 404. */
import { getLocationOperation } from '../contract/geo.js';
import { getLocation } from '../core/geo/user-location.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { locationStore } from './geo-wiring.js';

const deps = { locations: locationStore() };

export const handler = httpHandler(getLocationOperation, async ({ caller }) => ok(await getLocation(deps, caller)));
