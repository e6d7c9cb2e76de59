/**
 * Compiled by test/unit/generated-types.test.ts next to the types generated from
 * test/fixtures/geo-backend.ts: point fields, geo queries and their `distanceMeters`.
 */
import { createClient, type GeoPoint } from '@lambase/client';

const client = createClient({ url: 'http://127.0.0.1:4000' });
const places = client.collection('places');
const near = { lat: 48.85, lng: 2.35, radiusMeters: 500 };

export async function pointFields(): Promise<void> {
  const place = await places.create({ name: 'Café', category: 'cafe', location: { lat: 48.85, lng: 2.35 } });
  const location: GeoPoint = place.location;
  const entrance: GeoPoint | undefined = place.entrance;
  void [location, entrance];
  // @ts-expect-error: a point has lat and lng
  await places.create({ name: 'x', category: 'cafe', location: { latitude: 1, longitude: 2 } });
}

export async function geoQueries(): Promise<void> {
  const nearby = await places.query({ where: { category: 'cafe', location: { near } } });
  const meters: number | undefined = nearby.items[0]?.distanceMeters;
  void meters;
  for await (const place of places.iterate({ where: { location: { near } } })) void place.distanceMeters.toFixed(0);

  const boxed = await places.query({ where: { location: { within: { south: 48.8, west: 2.3, north: 48.9, east: 2.4 } } } });
  // @ts-expect-error: no distance in a box query
  void boxed.items[0]?.distanceMeters;
  // @ts-expect-error: geo conditions only on point fields
  await places.query({ where: { name: { near } } });
  // @ts-expect-error: a point field takes near or within, not equality
  await places.query({ where: { location: { lat: 1, lng: 2 } } });
}

export async function otherShapes(): Promise<void> {
  const trucks = client.collection('food-trucks');
  const truck = await trucks.create({ name: 'Tío', kind: 'tacos', rating: null, openedAt: '2025-01-01T00:00:00Z' });
  const menu: { dish: string; price: number }[] = truck.menu;
  const rating: number | null = truck.rating;
  const extras: Record<string, string | number> | undefined = truck.extras;
  void [menu, rating, extras];
  // @ts-expect-error: nested objects are exact too, when written…
  await trucks.create({ name: 'x', kind: 'tacos', rating: 3, openedAt: 't', menu: [{ dish: 'x', price: 1, spicy: true }] });
  // @ts-expect-error: …and when read
  void truck.menu[0]?.spicy;
  // @ts-expect-error: not one of the enum's values
  await trucks.create({ name: 'x', kind: 'pizza', rating: 3, openedAt: 't' });
  await trucks.query({ where: { kind: 'tacos', rating: { between: [3, 5] } } });
}
