/** 🔒 DELETE /me/location → 204: forgotten; fences are left without events. */
import { deleteLocationOperation } from '../contract/geo.js';
import { forgetLocation } from '../core/geo/user-location.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { locationStore } from './geo-wiring.js';

const deps = { locations: locationStore() };

export const handler = httpHandler(deleteLocationOperation, async ({ caller }) => {
  await forgetLocation(deps, caller.userId);
  return noContent();
});
