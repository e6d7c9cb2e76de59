/**
 * What the client sends for documents, files and the other services, and how it reads what
 * comes back: pages iterated to the end, uploads carried to `ready`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient, eachItem, LambaseError } from '../../src/index.js';
import { fakeFetch, json, noContent, settle, tokenAnswer, type Answer, type RecordedCall } from '../fakes/fake-fetch.js';

const URL = 'http://api.test';

async function signedIn(answer: (call: RecordedCall) => Answer) {
  const fake = fakeFetch((call) => (call.path === '/auth/sign-in' ? json(200, tokenAnswer()) : answer(call)));
  const client = createClient({ url: URL, fetch: fake.fetch, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 } });
  await client.auth.signIn({ email: 'ada@example.com', password: 'pw' });
  const calls = () => fake.calls.filter((call) => !call.path.startsWith('/auth/'));
  return { client, calls };
}

const doc = (id: string, extra: Record<string, unknown> = {}) => ({ id, owner: 'user-1', createdAt: 't', updatedAt: 't', version: 1, title: id, ...extra });

describe('documents', () => {
  it('sends each operation to its route, with If-Match for ifVersion', async () => {
    const { client, calls } = await signedIn((call) => (call.method === 'DELETE' ? noContent() : json(200, doc('n/1'))));
    const notes = client.collection('notes');
    await notes.create({ title: 'Hello', tags: ['a'] });
    await notes.get('n/1');
    await notes.list({ limit: 5, cursor: 'c1' });
    await notes.query({ where: { pinned: true, createdAt: { gte: '2025-01-01T00:00:00Z' } }, order: 'asc', limit: 10 });
    await notes.update('n/1', { body: null }, { ifVersion: 3 });
    await notes.replace('n/1', { title: 'Replaced' });
    await notes.delete('n/1', { ifVersion: 4 });
    expect(calls().map(({ method, path, body, headers }) => ({ method, path, body, ifMatch: headers['if-match'] }))).toEqual([
      { method: 'POST', path: '/data/notes', body: { title: 'Hello', tags: ['a'] }, ifMatch: undefined },
      { method: 'GET', path: '/data/notes/n%2F1', body: undefined, ifMatch: undefined },
      { method: 'GET', path: '/data/notes?limit=5&cursor=c1', body: undefined, ifMatch: undefined },
      {
        method: 'POST',
        path: '/data/notes/query',
        body: { where: { pinned: true, createdAt: { gte: '2025-01-01T00:00:00Z' } }, order: 'asc', limit: 10 },
        ifMatch: undefined,
      },
      { method: 'PATCH', path: '/data/notes/n%2F1', body: { body: null }, ifMatch: '"3"' },
      { method: 'PUT', path: '/data/notes/n%2F1', body: { title: 'Replaced' }, ifMatch: undefined },
      { method: 'DELETE', path: '/data/notes/n%2F1', body: undefined, ifMatch: '"4"' },
    ]);
  });

  it('reports a version conflict as PreconditionFailed', async () => {
    const { client } = await signedIn(() => json(412, { error: { code: 'PreconditionFailed', message: 'The document is at version 4', requestId: 'r' } }));
    const error = await client.collection('notes').update('n1', { title: 'x' }, { ifVersion: 3 }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(LambaseError);
    expect(error).toMatchObject({ status: 412, code: 'PreconditionFailed' });
  });

  it('iterates every page of a list, then of a query, following nextCursor to the end', async () => {
    const pages: Record<string, { items: unknown[]; nextCursor: string | null }> = {
      first: { items: [doc('a'), doc('b')], nextCursor: 'p2' },
      p2: { items: [doc('c')], nextCursor: 'p3' },
      p3: { items: [doc('d')], nextCursor: null },
    };
    const { client, calls } = await signedIn((call) => {
      const cursor = call.method === 'GET' ? new URLSearchParams(call.path.split('?')[1]).get('cursor') : (call.body as { cursor?: string }).cursor;
      return json(200, pages[cursor ?? 'first']);
    });
    const listed: string[] = [];
    for await (const note of client.collection('notes').iterate({ limit: 2 })) listed.push(note.id);
    expect(listed).toEqual(['a', 'b', 'c', 'd']);
    expect(calls().map((call) => call.path)).toEqual(['/data/notes?limit=2', '/data/notes?limit=2&cursor=p2', '/data/notes?limit=2&cursor=p3']);

    const queried: string[] = [];
    for await (const post of client.collection('posts').iterate({ where: { category: 'news' } })) queried.push(post.id);
    expect(queried).toEqual(['a', 'b', 'c', 'd']);
    expect(calls().slice(3).map((call) => call.body)).toEqual([
      { where: { category: 'news' } },
      { where: { category: 'news' }, cursor: 'p2' },
      { where: { category: 'news' }, cursor: 'p3' },
    ]);
  });

  it('stops asking for pages when the loop breaks early', async () => {
    const { client, calls } = await signedIn(() => json(200, { items: [doc('a'), doc('b')], nextCursor: 'more' }));
    for await (const note of client.collection('notes').iterate()) if (note.id === 'a') break;
    expect(calls()).toHaveLength(1);
  });

  it('iterates any list with eachItem', async () => {
    const { client, calls } = await signedIn((call) =>
      json(200, call.path.includes('cursor=') ? { items: [{ userId: 'u2' }], nextCursor: null } : { items: [{ userId: 'u1' }], nextCursor: 'n' }),
    );
    const users: string[] = [];
    for await (const user of eachItem(client.admin.listUsers, { limit: 100 })) users.push(user.userId);
    expect(users).toEqual(['u1', 'u2']);
    expect(calls().map((call) => call.path)).toEqual(['/admin/users?limit=100', '/admin/users?limit=100&cursor=n']);
  });

  it('sends a geo query and hands back distanceMeters', async () => {
    const { client, calls } = await signedIn(() => json(200, { items: [{ ...doc('p1'), distanceMeters: 42.5 }], nextCursor: null }));
    const near = { lat: 48.85, lng: 2.35, radiusMeters: 500 };
    const page = await client.collection('places').query({ where: { category: 'cafe', location: { near } } });
    expect(page.items[0]!.distanceMeters).toBe(42.5);
    expect(calls()[0]!.body).toEqual({ where: { category: 'cafe', location: { near } } });
  });

  it('sends a batch as one transaction and returns its results in order', async () => {
    const results = [{ op: 'create', collection: 'notes', id: 'n9', document: doc('n9') }, { op: 'delete', collection: 'notes', id: 'n1' }];
    const { client, calls } = await signedIn(() => json(200, { results }));
    const answer = await client.batch([
      { op: 'create', collection: 'notes', data: { title: 'A' } },
      { op: 'delete', collection: 'notes', id: 'n1', ifVersion: 2 },
    ]);
    expect(answer).toEqual(results);
    expect(calls()[0]).toMatchObject({
      method: 'POST',
      path: '/data/_batch',
      body: { operations: [{ op: 'create', collection: 'notes', data: { title: 'A' } }, { op: 'delete', collection: 'notes', id: 'n1', ifVersion: 2 }] },
    });
  });
});

describe('files', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  /** A storage that accepts the form, and a file record that turns ready after `pendingPolls` reads. */
  function storage(options: { pendingPolls?: number; finalStatus?: 'ready' | 'rejected' } = {}) {
    let polls = 0;
    return (call: RecordedCall): Answer => {
      if (call.path === '/storage/uploads') {
        return json(201, { fileId: 'f1', upload: { url: 'http://storage.test/bucket', fields: { key: 'files/f1', policy: 'p' } }, expiresAt: 't' });
      }
      if (call.url === 'http://storage.test/bucket') return new Response(null, { status: 204 });
      if (call.path === '/storage/files/f1') {
        const status = polls++ < (options.pendingPolls ?? 2) ? 'pending' : (options.finalStatus ?? 'ready');
        return json(200, { fileId: 'f1', name: 'hello.txt', contentType: 'text/plain', size: 5, visibility: 'public', status, downloadUrl: status === 'ready' ? 'http://storage.test/get/f1' : null, createdAt: 't' });
      }
      if (call.url === 'http://storage.test/get/f1') return new Response('hello');
      return json(404, { error: { code: 'NotFound', message: call.path, requestId: 'r' } });
    };
  }

  it('asks for an upload, posts the form with its fields and the bytes, and resolves when the file is ready', async () => {
    const { client, calls } = await signedIn(storage({ pendingPolls: 2 }));
    const progress: number[] = [];
    const file = await client.files.upload(new File(['hello'], 'hello.txt', { type: 'text/plain' }), {
      visibility: 'public',
      onProgress: ({ loaded, total }) => progress.push(loaded / total),
    });
    expect(file).toMatchObject({ fileId: 'f1', status: 'ready', downloadUrl: 'http://storage.test/get/f1' });
    const [ticket, form, ...polls] = calls();
    expect(ticket).toMatchObject({ method: 'POST', body: { name: 'hello.txt', contentType: 'text/plain', size: 5, visibility: 'public' } });
    expect(ticket!.headers.authorization).toMatch(/^Bearer /);
    expect(form!.headers.authorization).toBeUndefined();
    const sent = form!.body as FormData;
    expect([...sent.keys()]).toEqual(['key', 'policy', 'file']);
    expect(await (sent.get('file') as File).text()).toBe('hello');
    expect(polls).toHaveLength(3);
    expect(progress).toEqual([0, 1]);
  });

  it('rejects with UploadRejected when the storage refuses the bytes or rejects the file after checking it', async () => {
    const refusing = await signedIn((call) =>
      call.url === 'http://storage.test/bucket'
        ? new Response('<Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size</Message></Error>', { status: 400 })
        : storage()(call),
    );
    const refused = await refusing.client.files.upload(new Blob(['hello'])).catch((reason: unknown) => reason);
    expect(refused).toMatchObject({ status: 400, code: 'UploadRejected', details: [{ code: 'EntityTooLarge' }] });

    const { client } = await signedIn(storage({ pendingPolls: 0, finalStatus: 'rejected' }));
    expect(await client.files.upload(new Blob(['hello'])).catch((reason: unknown) => reason)).toMatchObject({ code: 'UploadRejected' });
  });

  it('stops waiting for ready when aborted, and after readyTimeoutMs', async () => {
    const { client, calls } = await signedIn(storage({ pendingPolls: 1000 }));
    const controller = new AbortController();
    const upload = client.files.upload(new Blob(['hello']), { signal: controller.signal });
    while (!calls().some((call) => call.path === '/storage/files/f1')) await settle();
    controller.abort();
    expect(await upload.catch((reason: unknown) => reason)).toMatchObject({ code: 'Aborted' });

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const slow = client.files.upload(new Blob(['hello']), { readyTimeoutMs: 5000 }).catch((reason: unknown) => reason);
    await vi.advanceTimersByTimeAsync(6000);
    expect(await slow).toMatchObject({ code: 'Timeout', status: 0 });
  });

  it('reports browser upload progress through XMLHttpRequest when it exists', async () => {
    const sent: { url?: string; body?: FormData } = {};
    class FakeXhr {
      status = 0;
      responseText = '';
      upload: { onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      onabort: (() => void) | null = null;
      open(_method: string, url: string) {
        sent.url = url;
      }
      send(body: FormData) {
        sent.body = body;
        for (const loaded of [100, 250, 400]) this.upload.onprogress?.({ loaded, total: 400, lengthComputable: true });
        this.status = 204;
        this.onload?.();
      }
      abort() {
        this.onabort?.();
      }
    }
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const { client, calls } = await signedIn(storage({ pendingPolls: 0 }));
    const progress: string[] = [];
    await client.files.upload(new Blob(['hello'], { type: 'text/plain' }), { onProgress: ({ loaded, total }) => progress.push(`${loaded}/${total}`) });
    expect(progress).toEqual(['100/400', '250/400', '400/400']);
    expect(sent.url).toBe('http://storage.test/bucket');
    expect(calls().some((call) => call.url === 'http://storage.test/bucket')).toBe(false);
  });

  it('lists, reads, downloads and deletes files', async () => {
    const { client, calls } = await signedIn((call) =>
      call.path === '/storage/files?limit=10' ? json(200, { items: [], nextCursor: null }) : call.method === 'DELETE' ? noContent() : storage({ pendingPolls: 0 })(call),
    );
    expect(await client.files.list({ limit: 10 })).toEqual({ items: [], nextCursor: null });
    expect(await client.files.downloadUrl('f1')).toBe('http://storage.test/get/f1');
    expect(await (await client.files.download('f1')).text()).toBe('hello');
    await client.files.delete('f1');
    expect(calls().at(-1)).toMatchObject({ method: 'DELETE', path: '/storage/files/f1' });
  });
});

describe('push, inbox, account and admin', () => {
  it('sends each call to its route', async () => {
    const { client, calls } = await signedIn((call) => {
      if (call.path === '/me/location' && call.method === 'GET') return json(404, { error: { code: 'NotFound', message: 'No location', requestId: 'r' } });
      if (call.method === 'GET' || call.path === '/me' || call.path === '/me/location') return json(200, {});
      if (call.path === '/push/devices') return json(201, { deviceId: 'd1' });
      return noContent();
    });
    await client.push.registerDevice({ platform: 'fcm', token: 't' });
    await client.push.listDevices({ limit: 5 });
    await client.push.removeDevice('d1');
    await client.push.subscribeTopic('posts');
    await client.push.unsubscribeTopic('posts');
    await client.notifications.list();
    await client.notifications.markRead('m1');
    await client.me.get();
    await client.me.update({ name: null });
    await client.me.changePassword({ currentPassword: 'a', newPassword: 'b' });
    await client.me.setLocation({ lat: 1, lng: 2, accuracyMeters: 5 });
    expect(await client.me.getLocation()).toBeNull();
    await client.me.deleteLocation();
    await client.me.export();
    await client.admin.addToGroup('u1', 'editors');
    await client.admin.removeFromGroup('u1', 'editors');
    await client.admin.disable('u1');
    await client.admin.enable('u1');
    expect(calls().map(({ method, path, body }) => `${method} ${path}${body === undefined ? '' : ` ${JSON.stringify(body)}`}`)).toEqual([
      'POST /push/devices {"platform":"fcm","token":"t"}',
      'GET /push/devices?limit=5',
      'DELETE /push/devices/d1',
      'PUT /push/topics/posts',
      'DELETE /push/topics/posts',
      'GET /notifications',
      'POST /notifications/m1/read',
      'GET /me',
      'PATCH /me {"name":null}',
      'POST /me/change-password {"currentPassword":"a","newPassword":"b"}',
      'PUT /me/location {"lat":1,"lng":2,"accuracyMeters":5}',
      'GET /me/location',
      'DELETE /me/location',
      'GET /me/export',
      'PUT /admin/users/u1/groups/editors',
      'DELETE /admin/users/u1/groups/editors',
      'POST /admin/users/u1/disable',
      'POST /admin/users/u1/enable',
    ]);
  });
});
