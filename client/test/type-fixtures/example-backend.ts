/**
 * Compiled by test/unit/generated-types.test.ts next to the types `npm run types` generates from
 * the repository's lambase.config.ts. Every `@ts-expect-error` must meet an error (an unused one
 * fails the compile too), and everything else must compile.
 */
import { createClient } from '@lambase/client';
import type { LambaseSchema, NotesDocument } from './lambase-types.js';

const client = createClient({ url: 'http://127.0.0.1:4000' });
const notes = client.collection('notes');

export async function typedWithoutATypeArgument(): Promise<void> {
  const note = await notes.create({ title: 'Hello', tags: ['a'] });
  const title: string = note.title;
  const pinned: boolean = note.pinned; // a default makes it required when read…
  await notes.create({ title: 'No pinned' }); // …and optional when written
  const version: number = note.version;
  const body: string | undefined = note.body;
  void [title, pinned, version, body];

  // @ts-expect-error: an unknown field on notes
  await notes.create({ title: 'x', colour: 'red' });
  // @ts-expect-error: title is required
  await notes.create({ body: 'no title' });
  // @ts-expect-error: a field of the wrong type
  await notes.create({ title: 'x', pinned: 'yes' });
  // @ts-expect-error: reserved fields are the server's
  await notes.create({ title: 'x', id: 'mine' });
  // @ts-expect-error: an unknown field in a patch
  await notes.update(note.id, { colour: 'red' });
  // @ts-expect-error: an unknown field in a replace
  await notes.replace(note.id, { title: 'x', colour: 'red' });
  // @ts-expect-error: a required field cannot be removed
  await notes.update(note.id, { title: null });
  await notes.update(note.id, { body: null, pinned: true }, { ifVersion: note.version });

  // @ts-expect-error: no such collection
  client.collection('nope');
  // @ts-expect-error: reading a field notes does not have
  void note.colour;
}

export async function typedQueries(): Promise<void> {
  const page = await notes.query({ where: { pinned: true, createdAt: { gte: '2025-01-01T00:00:00Z' } }, orderBy: 'updatedAt' });
  const first: NotesDocument | undefined = page.items[0];
  void first;
  // @ts-expect-error: an unknown field in where
  await notes.query({ where: { colour: 'red' } });
  // @ts-expect-error: a comparison of the wrong type
  await notes.query({ where: { title: { gt: 3 } } });
  // @ts-expect-error: booleans compare by equality only
  await notes.query({ where: { pinned: { gt: true } } });
  // @ts-expect-error: arrays cannot be queried
  await notes.query({ where: { tags: 'a' } });
  // @ts-expect-error: no point field, no geo query
  await notes.query({ where: { title: { near: { lat: 1, lng: 2, radiusMeters: 10 } } } });
  // @ts-expect-error: distanceMeters only comes with near
  void page.items[0]?.distanceMeters;

  for await (const post of client.collection('posts').iterate({ where: { category: 'news' } })) {
    const published: boolean = post.published;
    void published;
  }
  const stop = await notes.subscribe({ pinned: true }, (change) => {
    if (change.event === 'deleted' || change.truncated) void change.document.id;
    else void change.document.title;
  });
  stop();
  // @ts-expect-error: subscriptions filter by equality only
  await notes.subscribe({ title: { beginsWith: 'a' } }, () => {});
}

export async function typedBatch(): Promise<void> {
  const results = await client.batch([
    { op: 'create', collection: 'notes', data: { title: 'A' } },
    { op: 'update', collection: 'posts', id: 'p1', data: { published: true }, ifVersion: 2 },
    { op: 'delete', collection: 'sessions', id: 's1' },
  ]);
  void results[0]?.document;
  // @ts-expect-error: a create with a field its collection does not have
  await client.batch([{ op: 'create', collection: 'notes', data: { title: 'A', published: true } }]);
}

/** `import outputs from './lambase.outputs.json'` types its fields as plain numbers and strings. */
declare const outputsJson: { version: number; stage: string; apiUrl: string; region: string; userPoolId: string; userPoolClientId: string; bucketName: string };

export function fromOutputs(): void {
  void createClient({ outputs: outputsJson, storage: localStorage });
}

export function explicitSchema(): void {
  const typed = createClient<LambaseSchema>({ url: 'http://127.0.0.1:4000' });
  // @ts-expect-error: an unknown field, with the schema given explicitly
  void typed.collection('posts').create({ title: 'x', published: true, colour: 'red' });
}
