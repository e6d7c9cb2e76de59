/**
 * Geo queries against DynamoDB Local: for random circles and boxes, the pages together equal a
 * brute-force filter-and-sort over the same documents, nearest first, each exactly once, and each
 * page costs exactly one Query per covering cell. Then geofences and the users near a point.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import backend from '../../../lambase.config.js';
import { createDocumentClient, createDynamoDbClient } from '../../../functions/adapters/aws-clients.js';
import { DynamoDbDocumentStore } from '../../../functions/adapters/dynamodb-document-store.js';
import { DynamoDbLocationStore } from '../../../functions/adapters/dynamodb-location-store.js';
import { toDocument } from '../../../functions/core/documents/document-item.js';
import { DocumentService } from '../../../functions/core/documents/document-service.js';
import { coveringCells, queryPrecision } from '../../../functions/core/geo/geohash.js';
import { boxContains, circleBox, distanceMeters, type Point } from '../../../functions/core/geo/geometry.js';
import { reportLocation, usersNear, type LocationDeps } from '../../../functions/core/geo/user-location.js';
import { pageCursors } from '../../../functions/core/pagination/cursor.js';

const table = () => process.env.LAMBASE_TABLE_NAME!;
let queries = 0;
const client = () => createDocumentClient(createDynamoDbClient({ record: (operation) => void (operation === 'Query' && queries++), capacityWanted: () => false }));
let now = Date.now();
const clock = { now: () => new Date(now) };
const service = () =>
  new DocumentService({ backend, store: new DynamoDbDocumentStore(client(), table()), cursors: pageCursors(async () => Buffer.alloc(32, 7)), clock, newId: () => randomUUID() });

type Place = { id: string; location: Point };

async function createPlaces(category: string, points: Point[]): Promise<Place[]> {
  const documents = service();
  const caller = { userId: `geo-${randomUUID()}`, groups: [] };
  const places: Place[] = [];
  for (let i = 0; i < points.length; i += 20) {
    const batch = points.slice(i, i + 20);
    places.push(...(await Promise.all(batch.map(async (location, j) => ({ id: (await documents.create(caller, 'places', { name: `p${i + j}`, category, location })).id, location })))));
  }
  return places;
}

async function allPages(category: string, where: { near: unknown } | { within: unknown }, limit: number) {
  const documents = service();
  const found: { id: string; distanceMeters?: number }[] = [];
  const perPage: number[] = [];
  let cursor: string | undefined;
  do {
    queries = 0;
    const page = await documents.query(undefined, 'places', { where: { category, location: where } }, { limit, cursor });
    perPage.push(queries);
    expect(page.items.length > 0 || found.length === 0).toBe(true);
    found.push(...page.items.map((item) => ({ id: item.id, distanceMeters: item.distanceMeters as number | undefined })));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { found, perPage };
}

const around = (center: Point, spreadDegrees: number) =>
  fc.record({ dLat: fc.double({ min: -spreadDegrees, max: spreadDegrees, noNaN: true }), dLng: fc.double({ min: -spreadDegrees, max: spreadDegrees, noNaN: true }) })
    .map(({ dLat, dLng }) => ({ lat: center.lat + dLat, lng: ((center.lng + dLng + 540) % 360) - 180 }));

describe('near and within against DynamoDB Local', () => {
  const city = { lat: 48.8566, lng: 2.3522 };
  const category = `cafe-${randomUUID().slice(0, 8)}`;
  let places: Place[] = [];

  beforeAll(async () => {
    places = await createPlaces(category, fc.sample(around(city, 0.1), { numRuns: 250, seed: 42 }));
  }, 120_000);

  it('near: every page in (distance, id) order, together exactly the brute-force answer, one Query per covering cell', async () => {
    await fc.assert(
      fc.asyncProperty(around(city, 0.1), fc.integer({ min: 50, max: 20_000 }), fc.integer({ min: 1, max: 40 }), async (center, radiusMeters, limit) => {
        const expected = places
          .map((place) => ({ id: place.id, distanceMeters: distanceMeters(center, place.location) }))
          .filter((place) => place.distanceMeters <= radiusMeters)
          .sort((a, b) => a.distanceMeters - b.distanceMeters || (a.id < b.id ? -1 : 1));
        const { found, perPage } = await allPages(category, { near: { ...center, radiusMeters } }, limit);
        expect(found.map((each) => each.id)).toEqual(expected.map((each) => each.id));
        found.forEach((each, i) => expect(Math.abs(each.distanceMeters! - expected[i]!.distanceMeters)).toBeLessThan(1));
        const box = circleBox(center, radiusMeters);
        const cells = coveringCells(box, queryPrecision(box)).length;
        expect(cells).toBeLessThanOrEqual(9);
        expect(perPage.every((count) => count === cells)).toBe(true);
      }),
      { numRuns: 12 },
    );
  }, 120_000);

  it('within: the box\'s documents, edges included, each once in a stable order', async () => {
    await fc.assert(
      fc.asyncProperty(around(city, 0.1), fc.double({ min: 0.005, max: 0.2, noNaN: true }), fc.integer({ min: 1, max: 30 }), async (corner, size, limit) => {
        const box = { south: corner.lat, west: corner.lng, north: corner.lat + size, east: corner.lng + size };
        const expected = places.filter((place) => boxContains(box, place.location)).map((place) => place.id).sort();
        const { found } = await allPages(category, { within: box }, limit);
        expect(found.map((each) => each.id).sort()).toEqual(expected);
        expect(new Set(found.map((each) => each.id)).size).toBe(found.length);
      }),
      { numRuns: 8 },
    );
  }, 120_000);

  it('within a box across the antimeridian', async () => {
    const islands = `islands-${randomUUID().slice(0, 8)}`;
    const points = [{ lat: -17, lng: 179.9 }, { lat: -17.05, lng: -179.95 }, { lat: -17.02, lng: 180 }, { lat: -17, lng: 179.0 }, { lat: -17, lng: -179.0 }];
    const created = await createPlaces(islands, points);
    const { found } = await allPages(islands, { within: { south: -17.1, west: 179.7, north: -16.9, east: -179.7 } }, 2);
    expect(found.map((each) => each.id).sort()).toEqual([created[0]!.id, created[1]!.id, created[2]!.id].sort());
  }, 60_000);

  it('refuses what the contract refuses', async () => {
    const documents = service();
    await expect(documents.query(undefined, 'places', { where: { location: { near: { ...city, radiusMeters: 10 } } } }, { limit: 5 })).resolves.toBeDefined();
    await expect(documents.query(undefined, 'places', { where: { name: 'x', location: { near: { ...city, radiusMeters: 10 } } } }, { limit: 5 })).rejects.toMatchObject({ code: 'UnsupportedQuery' });
    await expect(documents.query(undefined, 'places', { where: { category, location: { near: { ...city, radiusMeters: 60_000 } } } }, { limit: 5 })).rejects.toMatchObject({ code: 'ValidationFailed' });
    await expect(documents.query(undefined, 'places', { where: { category, location: { within: { south: 0, west: 0, north: 1, east: 1 } } } }, { limit: 5 })).rejects.toMatchObject({ code: 'ValidationFailed' });
    await expect(documents.query(undefined, 'posts', { where: { title: { near: { ...city, radiusMeters: 10 } } } }, { limit: 5 })).rejects.toMatchObject({ code: 'UnsupportedQuery' });
    const caller = { userId: 'geo-reserved', groups: [] };
    await expect(documents.create(caller, 'places', { name: 'x', category, location: city, distanceMeters: 3 })).rejects.toMatchObject({ code: 'ValidationFailed' });
    await expect(documents.create(caller, 'places', { name: 'x', category, location: { lat: 91, lng: 0 } })).rejects.toMatchObject({ code: 'ValidationFailed' });
  });
});

describe('geofences and users near a point', () => {
  const admin = { userId: `admin-${randomUUID()}`, groups: ['admin'] };
  const store = () => new DynamoDbLocationStore(client(), table());
  let eventIds: string[] = [];
  const deps = (): LocationDeps => {
    const locations = store();
    const documents = new DynamoDbDocumentStore(client(), table());
    const fenceDocument = async (collection: string, id: string) => {
      const item = await documents.get(collection, id);
      return item ? toDocument(item) : undefined;
    };
    return { backend, locations, fences: locations, fenceDocument, clock, newId: () => { const id = randomUUID(); eventIds.push(id); return id; } };
  };

  const eventItem = async (eventId: string) =>
    (await client().send(new GetCommand({ TableName: table(), Key: { pk: `EVENT#${eventId}`, sk: 'GEOFENCE' }, ConsistentRead: true }))).Item;

  it('a user walks into a zone and out again: entered once, exited once, events written with the location', async () => {
    const center = { lat: 10 + Math.random(), lng: 20 + Math.random() };
    const zone = await service().create(admin, 'zones', { name: 'Harbour', center, radiusMeters: 500 });
    const user = { userId: `walker-${randomUUID()}`, groups: [] };
    const outside = { lat: center.lat + 0.01, lng: center.lng };
    const inside = { lat: center.lat + 0.001, lng: center.lng };
    eventIds = [];
    expect(await reportLocation(deps(), user, outside)).toMatchObject({ entered: [], exited: [], inside: [] });
    expect(await reportLocation(deps(), user, inside)).toMatchObject({ entered: [zone.id], exited: [], inside: [zone.id] });
    expect(await reportLocation(deps(), user, inside)).toMatchObject({ entered: [], exited: [], inside: [zone.id] });
    expect(await reportLocation(deps(), user, outside)).toMatchObject({ entered: [], exited: [zone.id], inside: [] });
    expect(eventIds).toHaveLength(2);
    // The event items carry the fence document, for the functions the dispatcher hands them to.
    const [enteredItem, exitedItem] = await Promise.all(eventIds.map(eventItem));
    expect(enteredItem).toMatchObject({ entity: 'geofenceEvent', userId: user.userId, transitions: [{ type: 'geofenceEntered', collection: 'zones', fenceId: zone.id, fence: { name: 'Harbour' } }] });
    expect(exitedItem).toMatchObject({ transitions: [{ type: 'geofenceExited', fenceId: zone.id, fence: { name: 'Harbour' } }] });

    // Two reports at once from outside to inside: exactly one of them enters.
    const racer = { userId: `racer-${randomUUID()}`, groups: [] };
    await reportLocation(deps(), racer, outside);
    const both = await Promise.all([reportLocation(deps(), racer, inside), reportLocation(deps(), racer, inside)]);
    expect(both.flatMap((report) => report.entered)).toEqual([zone.id]);

    // A moved fence is found at its new place only; a deleted one is exited.
    await service().update(admin, 'zones', zone.id, { center: outside }, undefined);
    expect(await reportLocation(deps(), user, outside)).toMatchObject({ entered: [zone.id] });
    await service().remove(admin, 'zones', zone.id, undefined);
    eventIds = [];
    expect(await reportLocation(deps(), user, outside)).toMatchObject({ exited: [zone.id], inside: [] });
    expect(await eventItem(eventIds[0]!)).toMatchObject({ transitions: [{ type: 'geofenceExited', fenceId: zone.id, fence: null }] });
  }, 60_000);

  it('finds exactly the users whose recent location lies within the radius', async () => {
    const center = { lat: -30 - Math.random(), lng: 140 + Math.random() };
    const within = [0.001, 0.004].map((d) => ({ userId: `near-${randomUUID()}`, groups: [], at: { lat: center.lat + d, lng: center.lng } }));
    const beyond = { userId: `far-${randomUUID()}`, groups: [], at: { lat: center.lat + 0.02, lng: center.lng } };
    const stale = { userId: `stale-${randomUUID()}`, groups: [], at: { lat: center.lat, lng: center.lng + 0.001 } };
    now -= 25 * 3600 * 1000;
    await reportLocation(deps(), stale, stale.at);
    now += 25 * 3600 * 1000;
    for (const user of [...within, beyond]) await reportLocation(deps(), user, user.at);
    const found = await usersNear({ locations: store(), clock }, { ...center, radiusMeters: 1000 });
    expect(found.sort()).toEqual(within.map((user) => user.userId).sort());
  }, 60_000);
});
