/**
 * Compiled by `npm run typecheck`, never bundled (nothing imports it): the generated types make a
 * wrong field a compile error. If one of these lines ever compiled, tsc would fail on its
 * unused `@ts-expect-error`.
 */
import { client } from './backend.js';

export async function typeChecks(): Promise<void> {
  const notes = client.collection('notes');
  // @ts-expect-error `notes` has no field `colour`.
  await notes.create({ title: 'Groceries', colour: 'red' });
  // @ts-expect-error `title` is a string.
  await notes.update('id', { title: 42 });
  // @ts-expect-error no collection is named `note`.
  client.collection('note');
  const near = await client.collection('places').query({ where: { location: { near: { lat: 0, lng: 0, radiusMeters: 100 } } } });
  const distance: number | undefined = near.items[0]?.distanceMeters;
  void distance;
}
