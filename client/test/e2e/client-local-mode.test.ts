/**
 * The whole client against local mode, as an app would use it: sign-up with the emailed code,
 * sessions that refresh (also after the server refuses a token), documents with version checks,
 * queries and pagination, public reads, batches, an upload carried to `ready`, push and the inbox,
 * the account export, administration, live changes and notifications over the realtime WebSocket,
 * and a sign-out that really revokes the session.
 * (Geolocation joins once the server has it; its client side is unit-tested.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, eachItem, LambaseError, memoryStorage, type LambaseClient, type Session, type SessionStorage } from '../../src/index.js';
import { createUser, exampleWithoutFunctions, STRONG_PASSWORD, startTestBackend, uniqueEmail, type TestBackend } from '../../../test/fixtures/local-backend.js';

let local: TestBackend;
const admin = { email: uniqueEmail('admin'), password: STRONG_PASSWORD };
const ada = { email: uniqueEmail('ada'), password: STRONG_PASSWORD };
let storage: SessionStorage;
let client: LambaseClient;

beforeAll(async () => {
  local = await startTestBackend({ admin, backend: exampleWithoutFunctions() });
  storage = memoryStorage();
  client = createClient({ url: local.url, storage });
});
afterAll(() => local?.cleanup());

/** The newest code emailed to `email`, read from the outbox as a developer would. */
async function emailedCode(email: string): Promise<string> {
  const outbox = (await (await fetch(`${local.url}/_local/outbox`)).json()) as { emails: { to: string; code?: string }[] };
  const code = outbox.emails.findLast((mail) => mail.to === email && mail.code)?.code;
  if (!code) throw new Error(`no code for ${email} in the outbox`);
  return code;
}

async function rejection(promise: Promise<unknown>): Promise<LambaseError> {
  const reason = await promise.then(() => undefined, (error: unknown) => error);
  expect(reason).toBeInstanceOf(LambaseError);
  return reason as LambaseError;
}

// Each first call of a function starts its worker; on a busy 2-core machine a test that touches
// eight functions needs more than the project's minute.
describe('@lambase/client against local mode', { timeout: 120_000 }, () => {
  it('signs up, confirms with the emailed code, signs in and refreshes', async () => {
    expect(await client.auth.signUp({ ...ada, name: 'Ada' })).toMatchObject({ email: ada.email, confirmed: false });
    expect(await rejection(client.auth.signIn(ada))).toMatchObject({ status: 403, code: 'UserNotConfirmed' });
    expect(await rejection(client.auth.confirmSignUp({ email: ada.email, code: '000000' }))).toMatchObject({ status: 400, code: 'CodeMismatch' });
    await client.auth.confirmSignUp({ email: ada.email, code: await emailedCode(ada.email) });

    const events: string[] = [];
    client.auth.onAuthStateChange((event) => events.push(event));
    expect(await rejection(client.auth.signIn({ ...ada, password: 'Wrong-Password-1' }))).toMatchObject({ status: 401, code: 'InvalidCredentials' });
    const { session } = await client.auth.signIn(ada);
    expect(session?.user).toMatchObject({ email: ada.email, groups: [] });
    const refreshed = await client.auth.refresh();
    expect(refreshed?.accessToken).not.toBe(session?.accessToken);
    expect(refreshed?.refreshToken).toBe(session?.refreshToken);
    expect(events).toEqual(['INITIAL_SESSION', 'SIGNED_IN', 'TOKEN_REFRESHED']);
    expect(await client.me.get()).toMatchObject({ email: ada.email, name: 'Ada', emailVerified: true });
  });

  it('recovers from a refused access token by refreshing once', async () => {
    const saved = JSON.parse((await storage.getItem(`lambase.session.${new URL(local.url).host}`))!) as Session;
    const tampered = memoryStorage();
    await tampered.setItem('s', JSON.stringify({ ...saved, accessToken: `${saved.accessToken.slice(0, -4)}AAAA` }));
    const reloaded = createClient({ url: local.url, storage: tampered, storageKey: 's' });
    expect(await reloaded.me.get()).toMatchObject({ email: ada.email });
    expect((await reloaded.auth.getSession())?.accessToken).not.toContain('AAAA');
  });

  it('creates, reads, updates, replaces and deletes notes, with ifVersion conflicts', async () => {
    const notes = client.collection('notes');
    const note = await notes.create({ title: 'First', tags: ['intro'] });
    expect(note).toMatchObject({ title: 'First', pinned: false, tags: ['intro'], version: 1, owner: (await client.auth.getSession())!.user.userId });
    expect(await notes.get(note.id)).toEqual(note);

    const updated = await notes.update(note.id, { pinned: true, tags: null }, { ifVersion: 1 });
    expect(updated).toMatchObject({ pinned: true, version: 2 });
    expect(updated).not.toHaveProperty('tags');
    expect(await rejection(notes.update(note.id, { title: 'Stale' }, { ifVersion: 1 }))).toMatchObject({ status: 412, code: 'PreconditionFailed' });
    expect(await rejection(notes.create({ title: '' }))).toMatchObject({ status: 400, code: 'ValidationFailed', details: [expect.objectContaining({ path: 'title' })] });

    const replaced = await notes.replace(note.id, { title: 'Replaced' }, { ifVersion: 2 });
    expect(replaced).toMatchObject({ title: 'Replaced', pinned: false, version: 3 });
    expect(await rejection(notes.delete(note.id, { ifVersion: 2 }))).toMatchObject({ status: 412 });
    await notes.delete(note.id, { ifVersion: 3 });
    expect(await rejection(notes.get(note.id))).toMatchObject({ status: 404, code: 'NotFound' });
  });

  it('queries and iterates every page', async () => {
    const notes = client.collection('notes');
    for (let i = 0; i < 5; i++) await notes.create({ title: `Note ${i}`, pinned: i % 2 === 0 });
    const titles: string[] = [];
    for await (const note of notes.iterate({ limit: 2 })) titles.push(note.title as string);
    expect(titles).toEqual(['Note 4', 'Note 3', 'Note 2', 'Note 1', 'Note 0']);

    const pinned: string[] = [];
    for await (const note of notes.iterate({ where: { pinned: true }, order: 'asc', limit: 1 })) pinned.push(note.title as string);
    expect(pinned).toEqual(['Note 0', 'Note 2', 'Note 4']);
    expect(await rejection(client.collection('posts').query({ where: { title: 'x' } }))).toMatchObject({ status: 400, code: 'UnsupportedQuery' });
  });

  it('serves posts by category to anyone, signed in or not', async () => {
    const posts = client.collection('posts');
    await posts.create({ title: 'Launch', published: true, category: 'news' });
    await posts.create({ title: 'Match', published: true, category: 'sports' });
    await posts.create({ title: 'Update', published: true, category: 'news' });
    const anonymous = createClient({ url: local.url });
    const news = await anonymous.collection('posts').query({ where: { category: 'news' } });
    expect(news.items.map((post) => post.title)).toEqual(['Update', 'Launch']);
    expect(await rejection(anonymous.collection('posts').create({ title: 'x', published: true }))).toMatchObject({ status: 401 });
  });

  it('finds places near a point, nearest first, and reports the caller\'s location', async () => {
    const places = client.collection('places');
    const here = { lat: 43.2965, lng: 5.3698 };
    await places.create({ name: 'Far', category: 'cafe', location: { lat: here.lat + 0.009, lng: here.lng } });
    await places.create({ name: 'Near', category: 'cafe', location: { lat: here.lat + 0.001, lng: here.lng } });
    await places.create({ name: 'Bar', category: 'bar', location: here });
    const names: string[] = [];
    for await (const place of places.iterate({ where: { category: 'cafe', location: { near: { ...here, radiusMeters: 2000 } } }, limit: 1 })) {
      expect(place.distanceMeters).toBeGreaterThan(0);
      names.push(place.name as string);
    }
    expect(names).toEqual(['Near', 'Far']);
    expect(await client.me.setLocation({ ...here, accuracyMeters: 5 })).toMatchObject({ location: { ...here, accuracyMeters: 5 }, entered: [], exited: [], inside: [] });
    expect(await client.me.getLocation()).toMatchObject({ location: here });
    await client.me.deleteLocation();
    expect(await client.me.getLocation()).toBeNull();
  });

  it('runs a batch all or nothing', async () => {
    const keep = await client.collection('notes').create({ title: 'Keep' });
    const results = await client.batch([
      { op: 'create', collection: 'notes', data: { title: 'Batched' } },
      { op: 'update', collection: 'notes', id: keep.id, data: { pinned: true }, ifVersion: 1 },
    ]);
    expect(results).toMatchObject([
      { op: 'create', collection: 'notes', document: { title: 'Batched' } },
      { op: 'update', id: keep.id, document: { pinned: true, version: 2 } },
    ]);
    const failed = await rejection(
      client.batch([
        { op: 'create', collection: 'notes', data: { title: 'Never written' } },
        { op: 'delete', collection: 'notes', id: keep.id, ifVersion: 1 },
      ]),
    );
    expect(failed).toMatchObject({ status: 409, code: 'TransactionCanceled', details: [expect.objectContaining({ index: 1 })] });
    const titles = (await client.collection('notes').query({ where: { title: 'Never written' } })).items;
    expect(titles).toEqual([]);
  });

  it('uploads a file to ready, then lists, downloads and deletes it', async () => {
    const bytes = new TextEncoder().encode('hello from the client');
    const progress: number[] = [];
    const file = await client.files.upload(new Blob([bytes], { type: 'text/plain' }), { name: 'hello.txt', onProgress: ({ loaded }) => progress.push(loaded) });
    expect(file).toMatchObject({ name: 'hello.txt', status: 'ready', size: bytes.length, contentType: 'text/plain', visibility: 'private' });
    expect(progress.at(-1)).toBe(bytes.length);
    expect((await client.files.list()).items.map((item) => item.fileId)).toContain(file.fileId);
    expect(new Uint8Array(await (await client.files.download(file.fileId)).arrayBuffer())).toEqual(bytes);
    expect(await rejection(createClient({ url: local.url }).files.get(file.fileId))).toMatchObject({ status: 404 });

    const refused = await rejection(client.files.upload(new Blob(['x'], { type: 'application/x-msdownload' })));
    expect(refused).toMatchObject({ status: 400, code: 'ValidationFailed' });
    await client.files.delete(file.fileId);
    expect(await rejection(client.files.get(file.fileId))).toMatchObject({ status: 404 });
  });

  it('registers a device, follows a topic, and reads what an admin sent in the inbox', async () => {
    const token = 'ab'.repeat(32);
    const { deviceId } = await client.push.registerDevice({ platform: 'apns-sandbox', token });
    expect(await client.push.registerDevice({ platform: 'apns-sandbox', token })).toEqual({ deviceId });
    expect((await client.push.listDevices()).items).toEqual([{ deviceId, platform: 'apns-sandbox', createdAt: expect.any(String), updatedAt: expect.any(String) }]);
    await client.push.subscribeTopic('posts');

    const adminClient = createClient({ url: local.url });
    await adminClient.auth.signIn(admin);
    const sent = await adminClient.push.send({ to: { topic: 'posts' }, notification: { title: 'New post', body: 'Read it', data: { postId: 'p1' } } });
    expect(sent.deliveries).toEqual({ devices: 0, topics: 1, inbox: 1 });
    expect(await rejection(client.push.send({ to: { topic: 'posts' }, notification: { title: 'x', body: 'y' } }))).toMatchObject({ status: 403, code: 'Forbidden' });

    const [item] = (await client.notifications.list()).items;
    expect(item).toMatchObject({ notificationId: sent.notificationId, title: 'New post', data: { postId: 'p1' }, read: false });
    await client.notifications.markRead(sent.notificationId);
    expect((await client.notifications.list()).items[0]!.read).toBe(true);
    await client.push.unsubscribeTopic('posts');
    await client.push.removeDevice(deviceId);
    expect((await client.push.listDevices()).items).toEqual([]);
  });

  it("exports the account's data", async () => {
    await client.me.update({ name: 'Ada Lovelace' });
    const exported = await client.me.export();
    expect(exported.profile).toMatchObject({ email: ada.email, name: 'Ada Lovelace' });
    expect(exported.documents.length).toBeGreaterThanOrEqual(8);
    expect(exported.documents).toContainEqual(expect.objectContaining({ title: 'Keep' }));
  });

  it('lets an admin list, group, disable and enable users', async () => {
    const adminClient = createClient({ url: local.url });
    await adminClient.auth.signIn(admin);
    expect(await rejection(client.admin.listUsers())).toMatchObject({ status: 403, code: 'Forbidden' });

    let adaId: string | undefined;
    for await (const user of eachItem(adminClient.admin.listUsers, { limit: 1 })) if (user.email === ada.email) adaId = user.userId;
    expect(adaId).toBe((await client.auth.getSession())!.user.userId);

    await adminClient.admin.addToGroup(adaId!, 'admin');
    expect((await client.me.get()).groups).toEqual(['admin']);
    await adminClient.admin.removeFromGroup(adaId!, 'admin');
    expect((await client.me.get()).groups).toEqual([]);

    await adminClient.admin.disable(adaId!);
    const elsewhere = createClient({ url: local.url });
    expect(await rejection(elsewhere.auth.signIn(ada))).toMatchObject({ status: expect.any(Number) });
    await adminClient.admin.enable(adaId!);
    expect((await elsewhere.auth.signIn(ada)).session).toBeDefined();
    await elsewhere.auth.signOut();
  });

  it('follows live changes and notifications over the realtime WebSocket', async () => {
    const user = await createUser(local);
    // Node 20 has no WebSocket of its own: the `ws` package's, as the client's options say.
    const live = createClient({ url: local.url, WebSocket: WebSocket as never });
    await live.auth.signIn({ email: user.email, password: user.password });
    const notes = live.collection('notes');
    const changes: { event: string; id: string; title?: unknown }[] = [];
    const stopNotes = await notes.subscribe(undefined, ({ event, document }) => changes.push({ event, id: document.id, title: (document as { title?: unknown }).title }));
    const inbox: { title: string }[] = [];
    const stopInbox = await live.notifications.subscribe((notification) => inbox.push(notification));
    expect(live.realtime.connected).toBe(true);

    const note = await notes.create({ title: 'live' });
    await notes.update(note.id, { title: 'still live' });
    await notes.delete(note.id);
    await expect.poll(() => changes.length, { timeout: 10_000 }).toBe(3);
    expect(changes).toEqual([
      { event: 'created', id: note.id, title: 'live' },
      { event: 'updated', id: note.id, title: 'still live' },
      { event: 'deleted', id: note.id, title: undefined },
    ]);

    const adminClient = createClient({ url: local.url });
    await adminClient.auth.signIn(admin);
    await adminClient.push.send({ to: { userIds: [user.userId] }, notification: { title: 'Live', body: 'over the WebSocket' } });
    await expect.poll(() => inbox.length, { timeout: 10_000 }).toBe(1);
    expect(inbox[0]).toMatchObject({ title: 'Live', body: 'over the WebSocket', read: false });
    stopNotes();
    stopInbox();
    expect(live.realtime.connected).toBe(false);
  });

  it('signs out for real: the old refresh token no longer works', async () => {
    const before = memoryStorage();
    await before.setItem('s', JSON.stringify(await client.auth.getSession()));
    await client.auth.signOut();
    expect(await client.auth.getSession()).toBeNull();
    expect(await rejection(client.me.get())).toMatchObject({ status: 401 });

    const stale = createClient({ url: local.url, storage: before, storageKey: 's' });
    expect(await stale.auth.refresh()).toBeNull();
    expect(await stale.auth.getSession()).toBeNull();
  });
});
