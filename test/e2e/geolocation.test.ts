/**
 * Issue 12's acceptance over HTTP against local mode: 1,000 places around a city and a 2 km `near`
 * query whose pages equal the brute-force answer, nearest first; a `within` box across the
 * antimeridian; a user walking into a zone and out (entered + zone-alert's inbox notification naming
 * the zone, exited and no second notification, no double events); an admin
 * push `to: { near }` reaching exactly the users inside the radius; the location in the export.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import example from '../../lambase.config.js';
import { defineBackend } from '../../functions/core/config/define-backend.js';
import { distanceMeters, type Point } from '../../functions/core/geo/geometry.js';
import { api, createUser, startTestBackend, waitFor, type TestBackend } from '../fixtures/local-backend.js';

const ADMIN = { email: 'geo-admin@example.com', password: 'Admin-Password-42!' };
const CITY = { lat: 45.764, lng: 4.8357 };

/** Events cross the stream, the dispatcher and a cold function: seconds, more on a busy machine. */
const EVENT_WAIT_MS = 30_000;

let local: TestBackend;
let admin: string;
let eventsFile: string;
/** The exits a recorder function (on every geofence collection's `geofenceExited`) received. */
const exits = (): Record<string, any>[] =>
  existsSync(eventsFile) ? readFileSync(eventsFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line).event) : [];

beforeAll(async () => {
  eventsFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'lambase-geo-events-')), 'events.jsonl');
  // The example (with zone-alert), plus a recorder of exits: the sign that the exit was dispatched.
  const backend = defineBackend({
    ...example.definition,
    functions: { ...example.definition.functions, 'on-zone-exit': { handler: 'test/fixtures/functions/record-lambase-events.ts', on: 'geofenceExited' } },
  });
  local = await startTestBackend({ backend, admin: ADMIN, functionEnvironment: { FIXTURE_EVENTS_FILE: eventsFile } });
  admin = (await api<{ accessToken: string }>(local.url, 'POST', '/auth/sign-in', { body: ADMIN })).body.accessToken;
});
afterAll(() => local?.cleanup());

/** A deterministic spread of points (no Math.random: a failure replays). */
function pointsAround(center: Point, count: number, spread: number): Point[] {
  let seed = 12345;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  return Array.from({ length: count }, () => ({ lat: center.lat + next() * spread, lng: center.lng + next() * spread }));
}

async function createPlaces(as: string, places: { name: string; category: string; location: Point }[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < places.length; i += 25) {
    const operations = places.slice(i, i + 25).map((data) => ({ op: 'create', collection: 'places', data }));
    const response = await api<{ results: { id: string }[] }>(local.url, 'POST', '/data/_batch', { as, body: { operations } });
    expect(response.status).toBe(200);
    ids.push(...response.body.results.map((result) => result.id));
  }
  return ids;
}

it('answers a 2 km near query over 1,000 places exactly, nearest first, across pages', async () => {
  const owner = await createUser(local);
  const points = pointsAround(CITY, 1000, 0.05);
  const ids = await createPlaces(owner.accessToken, points.map((location, i) => ({ name: `place ${i}`, category: i % 2 ? 'cafe' : 'bar', location })));
  const expected = points
    .map((location, i) => ({ id: ids[i]!, category: i % 2 ? 'cafe' : 'bar', distance: distanceMeters(CITY, location) }))
    .filter((place) => place.category === 'cafe' && place.distance <= 2000)
    .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1));
  expect(expected.length).toBeGreaterThan(20);

  const found: { id: string; distanceMeters: number }[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<{ items: { id: string; distanceMeters: number }[]; nextCursor: string | null }>(local.url, 'POST', '/data/places/query', {
      body: { where: { category: 'cafe', location: { near: { ...CITY, radiusMeters: 2000 } } }, limit: 20, ...(cursor ? { cursor } : {}) },
    });
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeGreaterThan(0);
    found.push(...page.body.items);
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  expect(found.map((item) => item.id)).toEqual(expected.map((place) => place.id));
  found.forEach((item, i) => expect(Math.abs(item.distanceMeters - expected[i]!.distance)).toBeLessThan(1));

  const refused = await api(local.url, 'POST', '/data/places/query', { body: { where: { location: { near: { ...CITY, radiusMeters: 50_001 } } } } });
  expect(refused.status).toBe(400);
  const unsupported = await api<{ error: { code: string; message: string } }>(local.url, 'POST', '/data/places/query', { body: { where: { name: 'x', location: { near: { ...CITY, radiusMeters: 10 } } } } });
  expect(unsupported.body.error).toMatchObject({ code: 'UnsupportedQuery', message: expect.stringContaining('nearby') });
}, 300_000);

it('finds the places in a box across the antimeridian', async () => {
  const owner = await createUser(local);
  const ids = await createPlaces(owner.accessToken, [
    { name: 'east of 180', category: 'island', location: { lat: -17, lng: 179.9 } },
    { name: 'west of 180', category: 'island', location: { lat: -17.05, lng: -179.95 } },
    { name: 'too far west', category: 'island', location: { lat: -17, lng: 179 } },
  ]);
  const page = await api<{ items: { id: string }[] }>(local.url, 'POST', '/data/places/query', {
    body: { where: { category: 'island', location: { within: { south: -17.1, west: 179.7, north: -16.9, east: -179.7 } } } },
  });
  expect(page.body.items.map((item) => item.id).sort()).toEqual([ids[0], ids[1]].sort());
});

it('reports a walk into a zone and out, once each, and keeps the location private to its user', async () => {
  const zone = await api<{ id: string }>(local.url, 'POST', '/data/zones', { as: admin, body: { name: 'Old Town', center: CITY, radiusMeters: 300 } });
  expect(zone.status).toBe(201);
  const walker = await createUser(local);
  const at = (lat: number) => api<{ entered: string[]; exited: string[]; inside: string[] }>(local.url, 'PUT', '/me/location', { as: walker, body: { lat, lng: CITY.lng, accuracyMeters: 8 } });
  expect((await at(CITY.lat + 0.01)).body).toMatchObject({ entered: [], exited: [], inside: [] });
  expect((await at(CITY.lat + 0.001)).body).toMatchObject({ entered: [zone.body.id], exited: [], inside: [zone.body.id] });
  expect((await at(CITY.lat + 0.0005)).body).toMatchObject({ entered: [], exited: [], inside: [zone.body.id] });
  expect((await at(CITY.lat + 0.01)).body).toMatchObject({ entered: [], exited: [zone.body.id], inside: [] });

  // zone-alert (on geofenceEntered) put one notification naming the zone in the walker's inbox.
  const zoneAlerts = async () =>
    (await api<{ items: { title: string; data: Record<string, unknown> }[] }>(local.url, 'GET', '/notifications', { as: walker })).body.items.filter(
      (item) => item.data?.kind === 'zoneEntered',
    );
  const [alert] = await waitFor(async () => {
    const alerts = await zoneAlerts();
    return alerts.length > 0 && alerts;
  }, EVENT_WAIT_MS);
  expect(alert).toMatchObject({ title: expect.stringContaining('Old Town'), data: { zoneId: zone.body.id } });
  // Once the exit has reached its function, the walk has been dispatched whole: still one alert.
  const exit = await waitFor(() => exits().find((event) => event.userId === walker.userId), EVENT_WAIT_MS);
  expect(exit).toMatchObject({ type: 'geofenceExited', collection: 'zones', fenceId: zone.body.id, fence: { name: 'Old Town' }, point: { lat: CITY.lat + 0.01, lng: CITY.lng } });
  expect(exits().filter((event) => event.userId === walker.userId)).toHaveLength(1);
  expect(await zoneAlerts()).toHaveLength(1);

  const mine = await api(local.url, 'GET', '/me/location', { as: walker });
  expect(mine.body).toMatchObject({ location: { lat: CITY.lat + 0.01, lng: CITY.lng, accuracyMeters: 8 } });
  expect((await api<{ location: unknown }>(local.url, 'GET', '/me/export', { as: walker })).body.location).toEqual(mine.body);
  expect((await api(local.url, 'DELETE', '/me/location', { as: walker })).status).toBe(204);
  expect((await api(local.url, 'GET', '/me/location', { as: walker })).status).toBe(404);
  expect((await api(local.url, 'PUT', '/me/location', { as: walker, body: { lat: 91, lng: 0 } })).status).toBe(400);
}, 120_000);

it('pushes to exactly the users near a point', async () => {
  const center = { lat: 40.4168, lng: -3.7038 };
  const near = [await createUser(local), await createUser(local)];
  const far = await createUser(local);
  for (const [user, dLat] of [[near[0]!, 0.001], [near[1]!, -0.003], [far, 0.05]] as const) {
    expect((await api(local.url, 'PUT', '/me/location', { as: user, body: { lat: center.lat + dLat, lng: center.lng } })).status).toBe(200);
  }
  const sent = await api<{ deliveries: { inbox: number } }>(local.url, 'POST', '/push/send', {
    as: admin,
    body: { to: { near: { ...center, radiusMeters: 1000 } }, notification: { title: 'Street fair', body: 'Around the corner' } },
  });
  expect(sent.status).toBe(202);
  expect(sent.body.deliveries.inbox).toBe(2);
  for (const [user, expected] of [[near[0]!, 1], [near[1]!, 1], [far, 0]] as const) {
    const inbox = await api<{ items: { title: string }[] }>(local.url, 'GET', '/notifications', { as: user });
    expect(inbox.body.items.filter((item) => item.title === 'Street fair')).toHaveLength(expected);
  }
});
