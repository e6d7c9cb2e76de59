/**
 * The caller's location routes in the authorization matrix (docs/api/geolocation.md): each acts on
 * the caller's own location alone — 401 without a token, the caller's own with one. A location is
 * private: no route names another user's, so there is no id of another user to put in a path.
 */
import { expect } from 'vitest';
import { send } from '../harness/http.js';
import type { World } from '../harness/world.js';
import { signedIn, type FeatureScenarios, type ScenarioContext } from './scenario-types.js';

/** A point of the caller's, a different one per call so a report is told from the one before. */
let reports = 0;
const somewhere = () => ({ lat: 48.85 + (reports++ % 100) / 1000, lng: 2.35 });

async function locationOf(world: World, token: string) {
  return send(world.url, { method: 'GET', path: '/me/location', token });
}

/** The caller reports a location first (GET answers 404 for a caller without one). */
async function withLocation({ world, caller }: ScenarioContext) {
  if (caller !== 'anonymous') {
    const reported = await send(world.url, { method: 'PUT', path: '/me/location', token: world.users[caller].accessToken, body: somewhere() });
    expect(reported.status, reported.text).toBe(200);
  }
  return {};
}

export const geoScenarios: FeatureScenarios = {
  reportLocation: [
    {
      name: 'a point',
      request: () => ({ body: somewhere() }),
      expect: signedIn(200),
      // The caller's own location is the one stored, and no one else's moved.
      verify: async ({ world, caller }, _object, response) => {
        if (caller === 'anonymous' || response.status !== 200) return;
        const stored = await locationOf(world, world.users[caller].accessToken);
        expect(stored.json, 'GET /me/location after the report').toMatchObject({ location: (response.json as { location: unknown }).location });
      },
    },
  ],
  getLocation: [{ name: 'the caller\'s last location', request: withLocation, expect: signedIn(200) }],
  deleteLocation: [
    {
      name: 'the caller\'s location',
      request: withLocation,
      expect: signedIn(204),
      verify: async ({ world, caller }, _object, response) => {
        if (caller === 'anonymous' || response.status !== 204) return;
        expect((await locationOf(world, world.users[caller].accessToken)).status, 'GET /me/location after the delete').toBe(404);
      },
    },
  ],
};
